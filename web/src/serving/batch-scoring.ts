// Batch scoring from the pages (issue 19): the CSV, uploaded first to the upload store (on disk,
// never in memory), is streamed to serve's CSV route and serve's answer streamed back. web holds no
// API key: it makes one for the request, scoped to the name and labelled for whom, and revokes it
// when the answer ends, so serve's own key check, rate limit and prediction log apply unchanged.
// Two steps (upload, then score) because a browser sends a whole request body before it reads the
// answer: one streamed request through web and serve would fill both directions' buffers and stop.
import { Readable } from 'node:stream';
import type { ReadableStream as WebStream } from 'node:stream/web';
import { HttpError } from '@enchilada/core';
import type { UploadStore } from '@enchilada/data';
import type { ApiKeys } from '@enchilada/models';

export interface ScoredStream {
  readonly body: Readable;
  readonly batchId: string | null;
}

export class BatchScoring {
  constructor(
    private readonly apiKeys: ApiKeys,
    private readonly uploads: UploadStore,
    private readonly serveUrl: string,
  ) {}

  /**
   * Streams upload `uploadId` through serve for `name`; the key is revoked and the upload removed once
   * the answer has ended or failed. serve's refusals (a missing feature column, 404, 429) are thrown
   * with serve's message and status.
   */
  async score(
    name: string,
    uploadId: string,
    idColumn: string | null,
    user: { readonly id: number; readonly username: string },
  ): Promise<ScoredStream> {
    const key = await this.apiKeys.create(
      `batch scoring from the web page by ${user.username} (revoked after use)`,
      name,
      user.id,
    );
    let cleaned = false;
    const cleanUp = async () => {
      if (cleaned) return;
      cleaned = true;
      await this.apiKeys.revoke(key.id).catch(() => undefined);
      await this.uploads.remove(uploadId).catch(() => undefined);
    };
    let res: Response;
    try {
      const query = new URLSearchParams(idColumn ? { id_column: idColumn } : {});
      const init: RequestInit & { duplex: 'half' } = {
        method: 'POST',
        duplex: 'half',
        headers: { 'content-type': 'text/csv', authorization: `Bearer ${key.key}` },
        body: Readable.toWeb(this.uploads.openRaw(uploadId)) as ReadableStream,
      };
      res = await fetch(
        `${this.serveUrl}/v1/models/${encodeURIComponent(name)}/predict${query.size ? `?${query.toString()}` : ''}`,
        init,
      );
    } catch (err) {
      await cleanUp();
      throw new HttpError(
        502,
        `the prediction service did not answer (${err instanceof Error ? err.message : String(err)}): try again in a moment`,
        'serve_unavailable',
      );
    }
    if (!res.ok || !res.body) {
      const text = await res.text().catch(() => '');
      await cleanUp();
      let message = `the prediction service answered ${res.status}`;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        /* not JSON: the status says it */
      }
      throw new HttpError(
        res.status >= 500 || res.status === 401 || res.status === 403 ? 502 : res.status,
        message,
        'batch_refused',
      );
    }
    const body = Readable.fromWeb(res.body as WebStream<Uint8Array>);
    body.once('close', () => {
      void cleanUp();
    });
    return { body, batchId: res.headers.get('x-batch-id') };
  }
}
