// Batch scoring of a CSV (issue 19): rows are read as they arrive (csv-parse), scored in chunks
// through the model's onnxruntime session, logged in multi-row INSERTs with the batch's id, and
// written out in their order with the prediction and probabilities appended. At most DEPTH chunks
// are held at once, so memory does not grow with the file, and a slow reader slows the reading.
// A chunk's rows are written only after its INSERT committed: what the client reads is logged.
import { Transform, type Readable, type TransformCallback, type Writable } from 'node:stream';
import { parse, type CsvError as ParseError } from 'csv-parse';
import { BadRequestError, HttpError } from '@enchilada/core';
import { csvCell, MAX_COLUMNS, MAX_RECORD_CHARS, parseDate } from '@enchilada/data';
import { isDuplicateKey, type NewPrediction, type PredictionBatches } from '@enchilada/models';
import type { ServeMetrics } from './metrics.js';
import { score, toInput, type Scored } from './predictor.js';
import type { LiveModel } from './serving-state.js';

/** Rows per chunk: one onnxruntime run and one INSERT (well under max_allowed_packet at ~1 KB a row). */
export const CHUNK_ROWS = 2000;
/**
 * Chunks scored but not yet written (their INSERTs in flight) while the next is read and scored:
 * two keep the database and the scoring busy at once.
 */
const DEPTH = 2;

export interface BatchOptions {
  /** The column whose values are the rows' ids; null: ids are generated as b<batch>-<line>. */
  readonly idColumn: string | null;
  /** false: nothing is logged (no batch row, no predictions). */
  readonly log: boolean;
  readonly maxRows: number;
  readonly maxBytes: number;
  readonly chunkRows?: number;
}

export interface BatchSummary {
  readonly batchId: number | null;
  /** Data rows read. */
  readonly rows: number;
  /** Rows with a prediction in the output (and, when logging, logged). */
  readonly scored: number;
  /** Rows with an error in the output. */
  readonly errors: number;
  readonly status: 'done' | 'failed';
  readonly message: string | null;
}

export interface BatchDeps { readonly batches: PredictionBatches; readonly metrics: ServeMetrics }

const CLOSED = 'the client closed the connection before the end';

/** A row's fault, named by line and column, as the `error` column shows it. */
class RowError extends Error {}

const FLOAT32_MAX = 3.4028234663852886e38;
const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

type Convert = (raw: string) => unknown;

/** How each model feature's text becomes the observation's value (what the JSON API takes). */
function converters(model: LiveModel): Map<string, Convert> {
  const number = (name: string, allowEmpty: boolean): Convert => (raw) => {
    if (raw === '' || raw.trim() === '') {
      if (allowEmpty) return null;
      throw new RowError(`column ${JSON.stringify(name)} is empty: the model was trained on complete rows only`);
    }
    if (!NUMBER.test(raw)) throw new RowError(`column ${JSON.stringify(name)}: ${JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw)} is not a number`);
    const v = Number(raw);
    if (!Number.isFinite(v) || Math.abs(v) > FLOAT32_MAX) throw new RowError(`column ${JSON.stringify(name)}: ${raw} is too large for the model (float32: at most ${FLOAT32_MAX})`);
    return v;
  };
  const out = new Map<string, Convert>();
  if (!model.inputs) {
    for (const f of model.features) out.set(f, number(f, false));
    return out;
  }
  for (const c of model.inputs) {
    if (c.kind === 'numeric') out.set(c.name, number(c.name, true));
    else if (c.kind === 'categorical') out.set(c.name, (raw) => (raw === '' ? null : raw));
    else {
      out.set(c.name, (raw) => {
        if (raw.trim() === '') return null;
        const t = parseDate(raw);
        if (t instanceof Error) throw new RowError(`column ${JSON.stringify(c.name)}: ${t.message}`);
        return raw;
      });
    }
  }
  return out;
}

interface Row {
  readonly line: number;
  readonly values: string[];
  id: string | null;
  observation: Record<string, unknown> | null;
  scored: Scored | null;
  error: string | null;
}

/** Counts the bytes of the body and stops it past the limit. */
class ByteLimit extends Transform {
  bytes = 0;
  constructor(private readonly max: number) { super(); }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.max) done(new BadRequestError(`the CSV is larger than ${Math.round(this.max / 1048576)} MB, the most one request may send (SERVE_BATCH_MAX_MB)`, 'body'));
    else done(null, chunk);
  }
}

function parseErrorMessage(err: unknown): string {
  const e = err as ParseError & { lines?: number };
  if (err instanceof HttpError) return err.message;
  if (e && typeof e.code === 'string' && e.code.startsWith('CSV_')) {
    if (e.code === 'CSV_QUOTE_NOT_CLOSED') return `line ${e.lines ?? '?'}: a quoted value is not closed (a " is missing); the rest of the file could not be read`;
    if (e.code === 'CSV_MAX_RECORD_SIZE') return `line ${e.lines ?? '?'}: a row is longer than ${MAX_RECORD_CHARS.toLocaleString('en')} characters (is a closing " missing?); the rest of the file could not be read`;
    return `line ${e.lines ?? '?'}: this line is not valid CSV (${e.code}); the rest of the file could not be read`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** The names of the columns appended to the input's, each made unique against the header. */
function appendedColumns(model: LiveModel, header: readonly string[], generatedIds: boolean): { names: string[]; classes: readonly string[] } {
  const taken = new Set(header);
  const unique = (n: string) => { let s = n; while (taken.has(s)) s = `_${s}`; taken.add(s); return s; };
  const names: string[] = [];
  if (generatedIds) names.push(unique('prediction_id'));
  names.push(unique('prediction'));
  const classes = model.task === 'classification' && model.classes ? model.classes : [];
  const labels = model.classLabels;
  if (classes.length && labels) names.push(unique('prediction_label'));
  for (const c of classes) names.push(unique(`probability_${labels?.[c] ?? c}`));
  names.push(unique('error'));
  return { names, classes };
}

export interface OpenBatch {
  /** The batch's id in prediction_batches (null when not logged). */
  readonly batchId: number | null;
  readonly header: readonly string[];
  /** The output's header line: the input's columns, then the appended ones. */
  readonly outputHeader: readonly string[];
  /** Scores every row into `out` (ending it); never throws: a failure part way is the summary's. */
  run(out: Writable): Promise<BatchSummary>;
}

/**
 * Reads the header and checks it against the model (a 400 before any output: a missing feature
 * column, an unknown id column); the rows are read by `run`.
 */
export async function openBatch(model: LiveModel, body: Readable, opts: BatchOptions, deps: BatchDeps): Promise<OpenBatch> {
  const limit = new ByteLimit(opts.maxBytes);
  const parser = parse({ bom: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true, info: true, max_record_size: MAX_RECORD_CHARS });
  body.on('error', (e) => limit.destroy(e));
  limit.on('error', (e) => parser.destroy(e));
  body.pipe(limit).pipe(parser);
  const records = (parser as AsyncIterable<{ record: string[]; info: { lines: number } }>)[Symbol.asyncIterator]();
  // Stops reading: the rest of the body is read and dropped, so the connection can finish the exchange.
  const stop = () => { body.unpipe(limit); limit.destroy(); parser.destroy(); body.resume(); };

  let first: IteratorResult<{ record: string[]; info: { lines: number } }>;
  try {
    first = await records.next();
  } catch (err) {
    stop();
    throw err instanceof HttpError ? err : new BadRequestError(parseErrorMessage(err), 'body');
  }
  if (first.done) throw new BadRequestError('the CSV is empty: a header row naming the columns is required', 'body');
  const header = first.value.record;
  const fail = (message: string, field: string) => { stop(); return new BadRequestError(message, field); };
  if (header.length > MAX_COLUMNS) throw fail(`the header has ${header.length} columns; at most ${MAX_COLUMNS}`, 'body');
  const index = new Map<string, number>();
  header.forEach((h, i) => { if (!index.has(h)) index.set(h, i); });
  const convert = converters(model);
  const missing = [...convert.keys()].filter((f) => !index.has(f));
  if (missing.length) {
    throw fail(`the CSV has no column ${missing.map((m) => JSON.stringify(m)).join(', ')}; the model's features are ${model.features.join(', ')} (other columns are passed through)`, 'body');
  }
  const idIndex = opts.idColumn === null ? -1 : (index.get(opts.idColumn) ?? -2);
  if (idIndex === -2) throw fail(`id_column: the CSV has no column ${JSON.stringify(opts.idColumn)}; its columns are ${header.slice(0, 50).join(', ')}`, 'id_column');
  const features = [...convert].map(([name, fn]) => ({ name, at: index.get(name) ?? 0, fn }));
  const generatedIds = opts.idColumn === null && opts.log;
  const { names: appended, classes } = appendedColumns(model, header, generatedIds);
  const labels = model.classLabels;
  const width = header.length;
  let batchId: number | null = null;
  try {
    if (opts.log) batchId = await deps.batches.start(model.name, model.modelId, model.version, opts.idColumn);
  } catch (err) {
    stop();
    throw err;
  }

  const run = async (out: Writable): Promise<BatchSummary> => {
    const chunkRows = opts.chunkRows ?? CHUNK_ROWS;
    let rows = 0;
    let scoredRows = 0;
    let errors = 0;
    let failure: string | null = null;
    let logFailed = false;
    let closed = false;
    out.on('close', () => { closed = true; });
    // A write after the client went away errs here, not in the process.
    out.on('error', () => { closed = true; });

    const toRow = (line: number, values: string[]): Row => {
      const row: Row = { line, values, id: null, observation: null, scored: null, error: null };
      try {
        if (values.length !== width) throw new RowError(`expected ${width} fields but found ${values.length}`);
        if (idIndex >= 0) {
          const id = values[idIndex];
          if (id.length === 0 || id.length > 128) throw new RowError(`column ${JSON.stringify(opts.idColumn)}: the id must be 1–128 characters`);
          row.id = id;
        } else if (batchId !== null) row.id = `b${batchId}-${line}`;
        const obs: Record<string, unknown> = {};
        for (const f of features) obs[f.name] = f.fn(values[f.at]);
        row.observation = obs;
      } catch (err) {
        if (!(err instanceof RowError)) throw err;
        row.error = `line ${line}: ${err.message}`;
      }
      return row;
    };

    /** Scores the chunk's valid rows in one run; a run that fails is retried row by row to name the row. */
    const scoreChunk = async (chunk: Row[]): Promise<void> => {
      const ok = chunk.filter((r) => r.observation !== null);
      if (!ok.length) return;
      try {
        const input = toInput(model, ok.map((r) => r.observation), true);
        const scored = await score(model, input, ok.length);
        ok.forEach((r, i) => { r.scored = scored[i]; });
        for (const [feature, k] of input.unseen) deps.metrics.unseenCategories.inc({ model: model.name, feature }, k);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        for (const r of ok) {
          try {
            [r.scored] = await score(model, toInput(model, [r.observation], false), 1);
          } catch (e) {
            if (!(e instanceof HttpError)) throw e;
            r.error = `line ${r.line}: ${e.message}`;
            r.observation = null;
          }
        }
      }
    };

    const logChunk = async (chunk: Row[], latencyMs: number): Promise<void> => {
      if (batchId === null) return;
      const id = batchId;
      const toLog = chunk.filter((r) => r.scored !== null);
      const rowOf = (r: Row): NewPrediction => ({
        modelName: model.name, modelId: model.modelId, version: model.version, clientId: r.id ?? '',
        observation: JSON.stringify(r.observation), output: JSON.stringify(r.scored), latencyMs,
      });
      try {
        await deps.batches.insertRows(id, toLog.map(rowOf));
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Some ids are taken (logged before, or repeated in this file): those rows get an error,
        // the others are logged.
        const taken = await deps.batches.existing(model.name, toLog.map((r) => r.id ?? ''));
        const seen = new Set<string>();
        for (const r of toLog) {
          const k = r.id ?? '';
          if (taken.has(k) || seen.has(k)) {
            r.error = `line ${r.line}: column ${JSON.stringify(opts.idColumn)}: the id ${JSON.stringify(k)} already has a prediction for "${model.name}" (ids are unique per name); not logged`;
            r.scored = null;
          }
          seen.add(k);
        }
        await deps.batches.insertRows(id, toLog.filter((r) => r.scored !== null).map(rowOf));
      }
      deps.metrics.predictions.inc({ model: model.name, version: String(model.version) }, toLog.filter((r) => r.scored !== null).length);
    };

    const text = (chunk: Row[]): string => {
      let s = '';
      for (const r of chunk) {
        const cells: string[] = new Array<string>(width);
        for (let j = 0; j < width; j++) cells[j] = csvCell(r.values[j] ?? '');
        if (generatedIds) cells.push(r.scored && r.id !== null ? csvCell(r.id) : '');
        const p = r.scored;
        if (p) {
          scoredRows++;
          cells.push(csvCell(p.prediction));
          if (classes.length && labels) cells.push(csvCell(labels[String(p.prediction)] ?? p.prediction));
          for (const c of classes) cells.push(String(p.probabilities?.[c] ?? ''));
          cells.push('');
        } else {
          errors++;
          cells.push('');
          if (classes.length && labels) cells.push('');
          for (let k = 0; k < classes.length; k++) cells.push('');
          cells.push(csvCell(r.error ?? `line ${r.line}: not scored`));
        }
        s += cells.join(',') + '\n';
      }
      return s;
    };

    const write = async (s: string): Promise<void> => {
      if (out.destroyed) closed = true;
      if (closed || out.write(s) || out.destroyed) return;
      // Wait for the reader (backpressure), or for the end of the connection.
      await new Promise<void>((resolve) => {
        const done = () => { out.off('drain', done); out.off('close', done); out.off('error', done); resolve(); };
        out.on('drain', done); out.on('close', done); out.on('error', done);
      });
    };

    interface Pending { readonly rows: Row[]; readonly logged: Promise<void> }
    const pending: Pending[] = [];
    const flush = async (p: Pending): Promise<void> => {
      try {
        await p.logged;
      } catch (err) {
        logFailed = true;
        failure ??= `line ${p.rows[0]?.line ?? '?'}: the prediction log failed (${err instanceof Error ? err.message : String(err)}); this row and those after it were not logged`;
      }
      // Once a chunk failed to be logged, the later ones (in flight at the time) are not answered either.
      if (logFailed) {
        for (const r of p.rows) { if (r.scored) { r.scored = null; r.error = `line ${r.line}: not logged: the prediction log failed`; } }
      }
      await write(text(p.rows));
    };

    try {
      await write(appendedHeader(header, appended));
      let chunk: Row[] = [];
      const submit = async () => {
        const t0 = performance.now();
        await scoreChunk(chunk);
        const perRow = (performance.now() - t0) / Math.max(1, chunk.length);
        const logged = logChunk(chunk, perRow);
        logged.catch(() => undefined);
        pending.push({ rows: chunk, logged });
        chunk = [];
        while (pending.length > DEPTH) await flush(pending.shift() as Pending);
      };
      try {
        for (;;) {
          const r = await records.next();
          if (r.done) break;
          if (closed || failure !== null) break;
          rows++;
          if (rows > opts.maxRows) {
            rows--;
            failure = `line ${r.value.info.lines}: the CSV has more than ${opts.maxRows.toLocaleString('en')} rows, the most one request may score (SERVE_BATCH_MAX_ROWS); the rows from here were not read`;
            break;
          }
          chunk.push(toRow(r.value.info.lines, r.value.record));
          if (chunk.length >= chunkRows) await submit();
        }
      } catch (err) {
        // The body itself failing (not the CSV in it) is the client going away.
        failure ??= closed || body.destroyed ? CLOSED : parseErrorMessage(err);
      }
      if (chunk.length && !logFailed) await submit();
      while (pending.length) await flush(pending.shift() as Pending);
      if (closed) failure ??= CLOSED;
      if (failure !== null) await write(failureRow(width + appended.length, failure));
    } catch (err) {
      failure ??= err instanceof Error ? err.message : String(err);
      await Promise.allSettled(pending.map((p) => p.logged));
    } finally {
      stop();
      if (!closed) out.end();
    }
    const summary: BatchSummary = { batchId, rows, scored: scoredRows, errors, status: failure === null ? 'done' : 'failed', message: failure };
    if (batchId !== null) {
      try {
        await deps.batches.finish(batchId, summary.status, scoredRows, errors, failure);
      } catch {
        // The rows are logged; a batch row left 'running' says the summary was not written.
      }
    }
    return summary;
  };

  return { batchId, header, outputHeader: [...header, ...appended], run };
}

function appendedHeader(header: readonly string[], appended: readonly string[]): string {
  return [...header, ...appended].map(csvCell).join(',') + '\n';
}

/** A last row, all empty but its error, saying why the output stops. */
function failureRow(width: number, message: string): string {
  const cells = new Array<string>(width - 1).fill('');
  cells.push(csvCell(message));
  return cells.join(',') + '\n';
}
