// Uploaded CSV files waiting for the user's choices in the preview. The file is streamed to disk
// (never held in memory), then read twice: its first rows for the preview, all of it for the load.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { ForbiddenError, HttpError, NotFoundError, TooManyRequestsError } from '@enchilada/core';
import { inferType, isMissing, suggestTask, type ColumnRole, type ColumnType, type Task } from './column-types.js';
import { isIdentifierLike } from './statistics.js';
import { openCsv, type CsvSource } from './csv-reader.js';
import { suggestColumnName, suggestDatasetName } from './names.js';
import { suggestTarget, type TargetSuggestion } from './target-suggestion.js';

export interface PreviewColumn {
  readonly header: string;
  readonly name: string;
  readonly type: ColumnType;
  readonly role: ColumnRole;
  /** Why the suggested role is not the usual one, for the person choosing. */
  readonly note?: string;
}

export const IDENTIFIER_TEXT_NOTE =
  'almost every value is different: looks like an identifier or free text; not used as a feature by default';
export const IDENTIFIER_ID_NOTE =
  'every value is different and the name ends in "id": looks like a row identifier; not used as a feature by default';
export const IDENTIFIER_RUN_NOTE =
  'every value is different and they count up one by one: looks like a row number; not used as a feature by default';

// "id" as the last word of a name: id, user_id, user id, PassengerId, userID; not paid or PAID.
const endsInId = (header: string): boolean =>
  /(?:^|[^A-Za-z0-9])id$/i.test(header.trim()) || /[a-z0-9](?:Id|ID)$/.test(header.trim());

/**
 * The type and role suggested for a column from its header and sample values. A text column whose
 * sample looks identifier-like by the rule the dataset page uses (isIdentifierLike), or an integer
 * column of all-different values named "…id", is suggested as an identifier: one-hot encoding it
 * would give a model one column per row and teach it nothing.
 */
export function suggestColumn(header: string, index: number, values: readonly string[]): PreviewColumn {
  const type = inferType(values);
  const base = { header, name: suggestColumnName(header, index), type };
  const present = values.filter((v) => !isMissing(v)).map((v) => v.trim());
  const distinct = new Set(present).size;
  if (type === 'text' && isIdentifierLike(distinct, values.length))
    return { ...base, role: 'identifier', note: IDENTIFIER_TEXT_NOTE };
  if (type === 'integer' && present.length > 1 && distinct === present.length) {
    if (endsInId(header)) return { ...base, role: 'identifier', note: IDENTIFIER_ID_NOTE };
    if (present.length > 20 && isRun(present.map(Number)))
      return { ...base, role: 'identifier', note: IDENTIFIER_RUN_NOTE };
  }
  return { ...base, role: 'feature' };
}
/**
 * Every column's suggested type and role, the suggested target (marked as the target) and the
 * task it suggests, from the header and the first rows: what the preview shows before any choice.
 */
export function suggestPreview(
  header: readonly string[],
  sample: readonly (readonly string[])[],
): Pick<UploadPreview, 'columns' | 'suggestedTask' | 'suggestedTarget'> {
  // The reader checked each row's field count against the header.
  const values = (j: number): string[] => sample.map((row) => row[j] ?? '');
  const columns: PreviewColumn[] = header.map((h, j) => suggestColumn(h, j, values(j)));
  const suggestedTarget = suggestTarget(
    columns.map((c, j) => ({ header: c.header, type: c.type, role: c.role, values: values(j) })),
  );
  let suggestedTask: Task | null = null;
  const k = suggestedTarget?.index ?? -1;
  const target = columns[k];
  if (target) {
    columns[k] = { ...target, role: 'target' };
    suggestedTask = suggestTask(target.type, values(k));
  }
  return { columns, suggestedTask, suggestedTarget };
}

/** All different integers that are consecutive once sorted (1, 2, 3…): a row number, whatever its name. */
function isRun(values: number[]): boolean {
  const sorted = values.sort((a, b) => a - b);
  const first = sorted[0] ?? 0;
  return sorted.every((v, i) => v === first + i);
}

export interface UploadPreview {
  readonly id: string;
  readonly fileName: string;
  readonly bytes: number;
  readonly columns: readonly PreviewColumn[];
  readonly rows: readonly string[][];
  readonly sampledRows: number;
  readonly suggestedName: string;
  readonly suggestedTask: Task | null;
  /** The suggested target's column index and why (shown as a suggestion), or null. */
  readonly suggestedTarget: TargetSuggestion | null;
}
interface Meta {
  readonly owner: number;
  readonly fileName: string;
  readonly bytes: number;
}

export const PREVIEW_ROWS = 20;
const SAMPLE_ROWS = 1000;

export class PayloadTooLargeError extends HttpError {
  constructor(limit: number) {
    super(413, `the file is larger than the upload limit of ${Math.round(limit / 1e6)} MB`, 'too_large');
  }
}

export class PendingBytesError extends HttpError {
  constructor(pending: number, size: number, limit: number) {
    super(
      413,
      `${size > 0 ? `this file (${mb(size)}) would bring` : 'you have'} your uploads waiting to be loaded ${size > 0 ? 'to' : 'at'} ${mb(pending + size)}, above the per-person limit of ${mb(limit)} (UPLOAD_MAX_PENDING_MB): load or discard a waiting upload first`,
      'too_large',
    );
  }
}

/** Per user: uploads waiting for their preview's choices, by count and by bytes on disk. */
export interface UploadQuota {
  readonly maxPending: number;
  readonly maxPendingBytes: number;
}

const mb = (b: number): string => (b < 10e6 ? `${(b / 1e6).toFixed(1)} MB` : `${Math.round(b / 1e6)} MB`);

export class UploadStore {
  constructor(
    private readonly dir: string,
    readonly maxBytes: number,
    private readonly quota: UploadQuota | null = null,
  ) {}

  /** The uploads of `owner` still waiting (previewed, not yet loaded or discarded). */
  async pending(owner: number): Promise<{ count: number; bytes: number }> {
    let count = 0,
      bytes = 0;
    for (const f of await readdir(this.dir).catch(() => [] as string[])) {
      if (!f.endsWith('.json')) continue;
      const meta = await readFile(join(this.dir, f), 'utf8').then(
        (t) => JSON.parse(t) as Meta,
        () => null,
      );
      if (meta?.owner === owner) {
        count++;
        bytes += meta.bytes;
      }
    }
    return { count, bytes };
  }

  /** Refuses before a byte is written when the owner's quota is used up already. */
  private async checkQuota(owner: number): Promise<{ bytes: number }> {
    const p = await this.pending(owner);
    const q = this.quota;
    if (!q) return p;
    if (p.count >= q.maxPending) {
      throw new TooManyRequestsError(
        `you have ${p.count} uploads waiting to be loaded, the most one person may have (UPLOAD_MAX_PENDING): load or discard one first`,
      );
    }
    if (p.bytes >= q.maxPendingBytes) throw new PendingBytesError(p.bytes, 0, q.maxPendingBytes);
    return p;
  }

  private path(id: string, ext: 'csv' | 'json'): string {
    if (!/^[0-9a-f]{32}$/.test(id)) throw new NotFoundError('no such upload');
    return join(this.dir, `${id}.${ext}`);
  }

  /** Streams `file` to disk; `truncated()` tells whether the multipart limit cut it short. */
  async save(file: Readable, fileName: string, owner: number, truncated: () => boolean): Promise<string> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    let before: { bytes: number };
    try {
      before = await this.checkQuota(owner);
    } catch (err) {
      file.resume(); // drain the refused body so the request ends
      throw err;
    }
    const id = randomBytes(16).toString('hex');
    const csv = this.path(id, 'csv');
    try {
      await pipeline(file, createWriteStream(csv, { mode: 0o600 }));
      if (truncated()) throw new PayloadTooLargeError(this.maxBytes);
      const { size } = await stat(csv);
      if (this.quota && before.bytes + size > this.quota.maxPendingBytes)
        throw new PendingBytesError(before.bytes, size, this.quota.maxPendingBytes);
      await writeFile(
        this.path(id, 'json'),
        JSON.stringify({ owner, fileName: fileName.slice(0, 255), bytes: size } satisfies Meta),
        { mode: 0o600 },
      );
      return id;
    } catch (err) {
      await rm(csv, { force: true });
      throw err;
    }
  }

  async meta(id: string, user: { id: number; role: string }): Promise<Meta> {
    let meta: Meta;
    try {
      meta = JSON.parse(await readFile(this.path(id, 'json'), 'utf8')) as Meta;
    } catch {
      throw new NotFoundError('no such upload (it may have expired): upload the file again');
    }
    if (meta.owner !== user.id && user.role !== 'admin')
      throw new ForbiddenError('this upload belongs to someone else');
    return meta;
  }

  /** The file as it was uploaded, unparsed (batch scoring streams it to serve). */
  openRaw(id: string): Readable {
    return createReadStream(this.path(id, 'csv'));
  }

  async open(id: string): Promise<CsvSource> {
    return openCsv(createReadStream(this.path(id, 'csv')));
  }

  async preview(id: string, user: { id: number; role: string }): Promise<UploadPreview> {
    const meta = await this.meta(id, user);
    const src = await this.open(id);
    const header = src.header;
    const sample: string[][] = [];
    const it = src.records[Symbol.asyncIterator]();
    try {
      while (sample.length < SAMPLE_ROWS) {
        const r = await it.next();
        if (r.done) break;
        sample.push(r.value.values);
      }
    } finally {
      await it.return?.();
    }
    const { columns, suggestedTask, suggestedTarget } = suggestPreview(header, sample);
    return {
      id,
      fileName: meta.fileName,
      bytes: meta.bytes,
      columns,
      rows: sample.slice(0, PREVIEW_ROWS),
      sampledRows: sample.length,
      suggestedName: suggestDatasetName(meta.fileName),
      suggestedTask,
      suggestedTarget,
    };
  }

  async remove(id: string): Promise<void> {
    await rm(this.path(id, 'csv'), { force: true });
    await rm(this.path(id, 'json'), { force: true });
  }

  /** Removes uploads older than `hours` (abandoned previews). */
  async sweep(hours = 24): Promise<number> {
    let n = 0;
    const files = await readdir(this.dir).catch(() => [] as string[]);
    for (const f of files) {
      const p = join(this.dir, f);
      const s = await stat(p).catch(() => null);
      if (s && Date.now() - s.mtimeMs > hours * 3600_000) {
        await rm(p, { force: true });
        n++;
      }
    }
    return n;
  }
}
