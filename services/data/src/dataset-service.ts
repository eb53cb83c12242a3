// The dataset operations that span several stores (the catalog, the data tables, the upload folder,
// the loads table): web's routes check who asks and call these, so the orchestration lives with the
// tables it touches and not in a route handler.
import { BadRequestError, ConflictError, quoteIdent, type Pool } from '@enchilada/core';
import type { Catalog } from './catalog.js';
import { CsvError } from './csv-reader.js';
import { loadDataset, newDataTableName, validateSpec, type LoadSpec } from './ingest.js';
import type { Loads } from './loads.js';
import type { UploadStore } from './uploads.js';

/** What a background load reports to: the request's logger (pino's shape). */
export interface LoadLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class DatasetService {
  constructor(
    private readonly pool: Pool,
    private readonly catalog: Catalog,
    private readonly uploads: UploadStore,
    private readonly loads: Loads,
  ) {}

  /** Removes the dataset from the catalog and drops its data table. */
  async delete(id: number): Promise<void> {
    const table = await this.catalog.remove(id);
    if (table) await this.pool.query(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
  }

  /**
   * Checks the spec, records the load and starts loading the uploaded file; returns the load's id at
   * once, while the load runs on (GET /api/loads/:id follows it). `bytes`: the upload's size.
   */
  async startUploadLoad(
    uploadId: string,
    bytes: number,
    spec: LoadSpec & { readonly createdBy: number },
    log: LoadLog,
  ): Promise<string> {
    const { catalog, loads, uploads } = this;
    validateSpec(spec);
    if (await catalog.byName(spec.name))
      throw new BadRequestError(
        `a dataset named ${JSON.stringify(spec.name)} exists already: choose another name`,
        'name',
      );
    if (await loads.uploadBusy(uploadId))
      throw new ConflictError('this file is being loaded already: wait for that load to finish');
    const source = await uploads.open(uploadId);
    // Recorded before the table exists, so that if this process dies the sweeper of any replica
    // finds the load's table and file (LoadSweeper) once its heartbeat stops.
    const tableName = newDataTableName();
    const loadId = await loads.start(spec.name, bytes, spec.createdBy, { uploadId, tableName });
    const stopBeating = loads.keepAlive(loadId, (err) => log.warn({ err }, 'load heartbeat not saved'));
    let last = 0;
    void loadDataset(this.pool, spec, source, {
      tableName,
      onProgress: (p) => {
        if (Date.now() - last < 400) return;
        last = Date.now();
        void loads.progress(loadId, p.rows, p.bytes).catch((err: unknown) => log.warn({ err }, 'progress not saved'));
      },
    })
      .then(
        async (ds) => {
          await loads.finish(loadId, { datasetId: ds.id, rows: ds.rowCount });
          log.info({ dataset: ds.name, rows: ds.rowCount }, 'upload loaded');
          await uploads.remove(uploadId);
        },
        async (err: Error) => {
          // The file stays (until loaded, discarded or a day old), so the preview's choices can be
          // corrected and loaded again without uploading it anew.
          const at =
            err instanceof CsvError && typeof err.column === 'string' ? { column: err.column, hint: err.hint } : {};
          await loads.finish(loadId, { error: err.message, ...at });
          log.info({ err: err.message }, 'upload refused');
        },
      )
      .finally(stopBeating)
      .catch((err: unknown) => log.error({ err }, 'load bookkeeping failed'));
    return loadId;
  }
}
