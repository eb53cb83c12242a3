// Batch scoring of a CSV (issue 19): rows are read as they arrive (csv-parse), scored in chunks
// through the model's onnxruntime session, logged in multi-row INSERTs with the batch's id, and
// written out in their order with the prediction and probabilities appended. At most DEPTH chunks
// are held at once, so memory does not grow with the file, and a slow reader slows the reading.
// A chunk's rows are written only after its INSERT committed: what the client reads is logged.
import { Transform, type Readable, type TransformCallback, type Writable } from 'node:stream';
import type { CsvError as ParseError } from 'csv-parse';
import { BadRequestError, HttpError } from '@enchilada/core';
import { csvCell, MAX_COLUMNS, MAX_RECORD_CHARS, parseDate } from '@enchilada/data';
import { passedThrough, unchangedLine } from './csv-cells.js';
import { CsvRecords, type RecordRun } from './csv-records.js';
import { isDuplicateKey, type BatchRows, type PredictionBatches } from '@enchilada/models';
import type { ServeMetrics } from './metrics.js';
import {
  columnarInput,
  score,
  scoreRaw,
  toInput,
  type ColumnValues,
  type RawScores,
  type Scored,
} from './predictor.js';
import type { LiveModel } from './serving-state.js';

/**
 * Rows per chunk: one onnxruntime run and one INSERT (well under max_allowed_packet at ~1 KB a row).
 * Measured here (300,000 rows into MariaDB): 1,024 and 2,048 score and log as fast, and 1,024 keeps
 * serve's peak RSS ~45 MB lower (less garbage promoted while a chunk waits for its INSERT).
 */
export const CHUNK_ROWS = 1024;
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

export interface BatchDeps {
  readonly batches: PredictionBatches;
  readonly metrics: ServeMetrics;
}

const CLOSED = 'the client closed the connection before the end';

/** A row's fault, named by line and column, as the `error` column shows it. */
class RowError extends Error {}

const FLOAT32_MAX = 3.4028234663852886e38;
const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

type Convert = (raw: string) => string | number | null;

/** How each model feature's text becomes the observation's value (what the JSON API takes). */
function converters(model: LiveModel): Map<string, Convert> {
  const number =
    (name: string, allowEmpty: boolean): Convert =>
    (raw) => {
      // A number first (nearly every value): its test also refuses an empty or blank value.
      if (NUMBER.test(raw)) {
        const v = Number(raw);
        if (!Number.isFinite(v) || Math.abs(v) > FLOAT32_MAX)
          throw new RowError(
            `column ${JSON.stringify(name)}: ${raw} is too large for the model (float32: at most ${FLOAT32_MAX})`,
          );
        return v;
      }
      if (raw.trim() === '') {
        if (allowEmpty) return null;
        throw new RowError(`column ${JSON.stringify(name)} is empty: the model was trained on complete rows only`);
      }
      throw new RowError(
        `column ${JSON.stringify(name)}: ${JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw)} is not a number`,
      );
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

/** Counts the bytes of the body and stops it past the limit. */
class ByteLimit extends Transform {
  bytes = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.max)
      done(
        new BadRequestError(
          `the CSV is larger than ${Math.round(this.max / 1048576)} MB, the most one request may send (SERVE_BATCH_MAX_MB)`,
          'body',
        ),
      );
    else done(null, chunk);
  }
}

function parseErrorMessage(err: unknown): string {
  const e = err as ParseError & { lines?: number };
  if (err instanceof HttpError) return err.message;
  if (e && typeof e.code === 'string' && e.code.startsWith('CSV_')) {
    if (e.code === 'CSV_QUOTE_NOT_CLOSED')
      return `line ${e.lines ?? '?'}: a quoted value is not closed (a " is missing); the rest of the file could not be read`;
    if (e.code === 'CSV_MAX_RECORD_SIZE')
      return `line ${e.lines ?? '?'}: a row is longer than ${MAX_RECORD_CHARS.toLocaleString('en')} characters (is a closing " missing?); the rest of the file could not be read`;
    return `line ${e.lines ?? '?'}: this line is not valid CSV (${e.code}); the rest of the file could not be read`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** The names of the columns appended to the input's, each made unique against the header. */
function appendedColumns(
  model: LiveModel,
  header: readonly string[],
  generatedIds: boolean,
): { names: string[]; classes: readonly string[] } {
  const taken = new Set(header);
  const unique = (n: string) => {
    let s = n;
    while (taken.has(s)) s = `_${s}`;
    taken.add(s);
    return s;
  };
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
export async function openBatch(
  model: LiveModel,
  body: Readable,
  opts: BatchOptions,
  deps: BatchDeps,
): Promise<OpenBatch> {
  const limit = new ByteLimit(opts.maxBytes);
  const parser = new CsvRecords();
  body.on('error', (e) => limit.destroy(e));
  limit.on('error', (e) => parser.destroy(e));
  body.pipe(limit).pipe(parser);
  const records = new Records(parser);
  // Stops reading: the rest of the body is read and dropped, so the connection can finish the exchange.
  const stop = () => {
    body.unpipe(limit);
    limit.destroy();
    parser.destroy();
    body.resume();
  };

  let first: RecordRun;
  try {
    first = await records.next(1);
  } catch (err) {
    stop();
    throw err instanceof HttpError ? err : new BadRequestError(parseErrorMessage(err), 'body');
  }
  if (!first.records.length)
    throw new BadRequestError('the CSV is empty: a header row naming the columns is required', 'body');
  const header = first.records[0];
  const fail = (message: string, field: string) => {
    stop();
    return new BadRequestError(message, field);
  };
  if (header.length > MAX_COLUMNS)
    throw fail(`the header has ${header.length} columns; at most ${MAX_COLUMNS}`, 'body');
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    if (!index.has(h)) index.set(h, i);
  });
  const convert = converters(model);
  const missing = [...convert.keys()].filter((f) => !index.has(f));
  if (missing.length) {
    throw fail(
      `the CSV has no column ${missing.map((m) => JSON.stringify(m)).join(', ')}; the model's features are ${model.features.join(', ')} (other columns are passed through)`,
      'body',
    );
  }
  const idIndex = opts.idColumn === null ? -1 : (index.get(opts.idColumn) ?? -2);
  if (idIndex === -2)
    throw fail(
      `id_column: the CSV has no column ${JSON.stringify(opts.idColumn)}; its columns are ${header.slice(0, 50).join(', ')}`,
      'id_column',
    );
  // Numeric features' values are kept in a Float64Array per chunk (NaN: empty), the others as text.
  const features = [...convert].map(([name, fn]) => ({
    name,
    at: index.get(name) ?? 0,
    fn,
    numeric: model.inputs ? model.inputs.some((c) => c.name === name && c.kind === 'numeric') : true,
  }));
  const generatedIds = opts.idColumn === null && opts.log;
  const { names: appended, classes } = appendedColumns(model, header, generatedIds);
  const width = header.length;
  let batchId: number | null = null;
  try {
    if (opts.log) batchId = await deps.batches.start(model.name, model.modelId, model.version, opts.idColumn);
  } catch (err) {
    stop();
    throw err;
  }
  const answers = new Answers(model, classes, features);

  const run = async (out: Writable): Promise<BatchSummary> => {
    const chunkRows = opts.chunkRows ?? CHUNK_ROWS;
    let rows = 0;
    let scoredRows = 0;
    let errors = 0;
    let failure: string | null = null;
    let logFailed = false;
    let closed = false;
    out.on('close', () => {
      closed = true;
    });
    // A write after the client went away errs here, not in the process.
    out.on('error', () => {
      closed = true;
    });

    const newChunk = (): Chunk => ({
      n: 0,
      lines: [],
      records: [],
      texts: [],
      ids: [],
      errors: [],
      observations: [],
      outputs: [],
      cells: [],
      columns: features.map((f): Column => (f.numeric ? new Float64Array(chunkRows) : [])),
    });

    /** Reads a row's id and feature values into the chunk, or its fault into `errors`. */
    const addRow = (chunk: Chunk, line: number, values: string[], text: string | null): void => {
      const i = chunk.n++;
      chunk.lines.push(line);
      chunk.records.push(values);
      // A line passed through as it came needs no cell written again.
      chunk.texts.push(text !== null && values.length === width && unchangedLine(text) ? text : null);
      let id: string | null = null;
      let error: string | null = null;
      try {
        if (values.length !== width) throw new RowError(`expected ${width} fields but found ${values.length}`);
        if (idIndex >= 0) {
          id = values[idIndex];
          if (id.length === 0 || id.length > 128)
            throw new RowError(`column ${JSON.stringify(opts.idColumn)}: the id must be 1–128 characters`);
        } else if (batchId !== null) id = `b${batchId}-${line}`;
        for (let f = 0; f < features.length; f++)
          chunk.columns[f][i] = features[f].fn(values[features[f].at]) ?? (features[f].numeric ? NaN : null);
      } catch (err) {
        if (!(err instanceof RowError)) throw err;
        error = `line ${line}: ${err.message}`;
        for (let f = 0; f < features.length; f++) chunk.columns[f][i] = features[f].numeric ? NaN : null;
      }
      chunk.ids.push(id);
      chunk.errors.push(error);
      chunk.observations.push(null);
      chunk.outputs.push(null);
      chunk.cells.push(null);
    };

    /**
     * Scores the chunk's valid rows in one run. A row the model answers NaN for (or an input the JSON
     * route's checks refuse) is scored again alone, as the JSON route would, to give its own error.
     */
    const scoreChunk = async (chunk: Chunk): Promise<void> => {
      const ok: number[] = [];
      for (let i = 0; i < chunk.n; i++) if (chunk.errors[i] === null) ok.push(i);
      if (!ok.length) return;
      const at = new Map(features.map((f, k) => [f.name, k]));
      const all = ok.length === chunk.n;
      const column = (name: string): ColumnValues => {
        const values = chunk.columns[at.get(name) ?? -1];
        if (!values) throw new Error(`the batch has no column ${name}`);
        if (values instanceof Float64Array)
          return all ? values.subarray(0, chunk.n) : Float64Array.from(ok, (i) => values[i]);
        return all ? values : ok.map((i) => values[i]);
      };
      const input = columnarInput(model, column, ok.length);
      const raw = await scoreRaw(model, input);
      for (const [feature, k] of input.unseen) deps.metrics.unseenCategories.inc({ model: model.name, feature }, k);
      for (let k = 0; k < ok.length; k++) {
        const i = ok[k];
        const answer = answers.of(raw, k);
        if (answer) {
          chunk.observations[i] = answers.observation(chunk, i);
          chunk.outputs[i] = answer.output;
          chunk.cells[i] = answer.cells;
          continue;
        }
        const obs: Record<string, unknown> = {};
        features.forEach((f, j) => {
          const v = chunk.columns[j][i];
          obs[f.name] = typeof v === 'number' && Number.isNaN(v) ? null : v;
        });
        try {
          const [scored] = await score(model, toInput(model, [obs], false), 1);
          chunk.observations[i] = JSON.stringify(obs);
          chunk.outputs[i] = JSON.stringify(scored);
          chunk.cells[i] = answers.cellsOf(scored);
        } catch (e) {
          if (!(e instanceof HttpError)) throw e;
          chunk.errors[i] = `line ${chunk.lines[i]}: ${e.message}`;
        }
      }
    };

    const logChunk = async (chunk: Chunk, latencyMs: number): Promise<void> => {
      if (batchId === null) return;
      const id = batchId;
      const toLog = (): number[] => {
        const r: number[] = [];
        for (let i = 0; i < chunk.n; i++) if (chunk.cells[i] !== null) r.push(i);
        return r;
      };
      const rowsOf = (at: readonly number[]): BatchRows => ({
        modelName: model.name,
        modelId: model.modelId,
        version: model.version,
        latencyMs,
        clientIds: at.map((i) => chunk.ids[i] ?? ''),
        observations: at.map((i) => chunk.observations[i] ?? ''),
        outputs: at.map((i) => chunk.outputs[i] ?? ''),
      });
      let logged = toLog();
      try {
        await deps.batches.insertRows(id, rowsOf(logged));
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Some ids are taken (logged before, or repeated in this file): those rows get an error,
        // the others are logged.
        const taken = await deps.batches.existing(
          model.name,
          logged.map((i) => chunk.ids[i] ?? ''),
        );
        const seen = new Set<string>();
        for (const i of logged) {
          const k = chunk.ids[i] ?? '';
          if (taken.has(k) || seen.has(k)) {
            chunk.errors[i] =
              `line ${chunk.lines[i]}: column ${JSON.stringify(opts.idColumn)}: the id ${JSON.stringify(k)} already has a prediction for "${model.name}" (ids are unique per name); not logged`;
            chunk.cells[i] = null;
          }
          seen.add(k);
        }
        logged = toLog();
        await deps.batches.insertRows(id, rowsOf(logged));
      }
      deps.metrics.predictions.inc({ model: model.name, version: String(model.version) }, logged.length);
    };

    const blanks = ','.repeat(appended.length - 1 - (generatedIds ? 1 : 0));
    // A row's cells joined once (no string built piece by piece: those pieces were most of the GC).
    const cells: string[] = new Array<string>(width + 2);
    const text = (chunk: Chunk): string => {
      const lines: string[] = new Array<string>(chunk.n + 1);
      for (let i = 0; i < chunk.n; i++) {
        const values = chunk.records[i];
        const same = chunk.texts[i];
        let k = 0;
        if (same !== null) cells[k++] = same;
        else for (; k < width; k++) cells[k] = passedThrough(values[k] ?? '');
        const answer = chunk.cells[i];
        // (a generated id, b<batch>-<line>, is a cell as it is)
        if (generatedIds) cells[k++] = answer !== null ? (chunk.ids[i] ?? '') : '';
        if (answer !== null) {
          scoredRows++;
          cells[k++] = answer;
        } else {
          errors++;
          cells[k++] = blanks + csvCell(chunk.errors[i] ?? `line ${chunk.lines[i]}: not scored`);
        }
        cells.length = k;
        lines[i] = cells.join(',');
      }
      lines[chunk.n] = '';
      return lines.join('\n');
    };

    const write = async (s: string): Promise<void> => {
      if (out.destroyed) closed = true;
      if (closed || out.write(s) || out.destroyed) return;
      // Wait for the reader (backpressure), or for the end of the connection.
      await new Promise<void>((resolve) => {
        const done = () => {
          out.off('drain', done);
          out.off('close', done);
          out.off('error', done);
          resolve();
        };
        out.on('drain', done);
        out.on('close', done);
        out.on('error', done);
      });
    };

    interface Pending {
      readonly chunk: Chunk;
      readonly logged: Promise<void>;
    }
    const pending: Pending[] = [];
    const flush = async (p: Pending): Promise<void> => {
      try {
        await p.logged;
      } catch (err) {
        logFailed = true;
        failure ??= `line ${p.chunk.lines[0] ?? '?'}: the prediction log failed (${err instanceof Error ? err.message : String(err)}); this row and those after it were not logged`;
      }
      // Once a chunk failed to be logged, the later ones (in flight at the time) are not answered either.
      if (logFailed) {
        for (let i = 0; i < p.chunk.n; i++) {
          if (p.chunk.cells[i] !== null) {
            p.chunk.cells[i] = null;
            p.chunk.errors[i] = `line ${p.chunk.lines[i]}: not logged: the prediction log failed`;
          }
        }
      }
      await write(text(p.chunk));
    };

    try {
      await write(appendedHeader(header, appended));
      let chunk = newChunk();
      const submit = async () => {
        const t0 = performance.now();
        await scoreChunk(chunk);
        const perRow = (performance.now() - t0) / Math.max(1, chunk.n);
        const logged = logChunk(chunk, perRow);
        logged.catch(() => undefined);
        pending.push({ chunk, logged });
        chunk = newChunk();
        while (pending.length > DEPTH) await flush(pending.shift() as Pending);
      };
      try {
        reading: for (;;) {
          const run = await records.next(chunkRows - chunk.n);
          if (!run.records.length) break;
          if (closed || failure !== null) break;
          for (let r = 0; r < run.records.length; r++) {
            rows++;
            if (rows > opts.maxRows) {
              rows--;
              failure = `line ${run.lines[r]}: the CSV has more than ${opts.maxRows.toLocaleString('en')} rows, the most one request may score (SERVE_BATCH_MAX_ROWS); the rows from here were not read`;
              break reading;
            }
            addRow(chunk, run.lines[r], run.records[r], run.texts[r]);
          }
          if (chunk.n >= chunkRows) await submit();
        }
      } catch (err) {
        // The body itself failing (not the CSV in it) is the client going away.
        failure ??= closed || body.destroyed ? CLOSED : parseErrorMessage(err);
      }
      if (chunk.n && !logFailed) await submit();
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
    const summary: BatchSummary = {
      batchId,
      rows,
      scored: scoredRows,
      errors,
      status: failure === null ? 'done' : 'failed',
      message: failure,
    };
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

/** A chunk's rows, column by column: no object per row (they were a sixth of serve's time in GC). */
interface Chunk {
  n: number;
  readonly lines: number[];
  readonly records: string[][];
  /** A row's line as it came, when the output passes it through unchanged; null: written cell by cell. */
  readonly texts: (string | null)[];
  readonly ids: (string | null)[];
  /** A row's fault, named by line; null while it is fine. */
  readonly errors: (string | null)[];
  /** The model features' values, one array per feature, in the converters' order. */
  readonly columns: Column[];
  /** A scored row's observation and output as JSON (what is logged), and its appended CSV cells. */
  readonly observations: (string | null)[];
  readonly outputs: (string | null)[];
  /** null: not scored (see `errors`). */
  readonly cells: (string | null)[];
}

/** Numbers (NaN: empty) or text (null: empty). */
type Column = Float64Array | (string | null)[];

/**
 * The parser's runs of records, taken up to `max` at a time (a promise per run, not per record).
 */
class Records {
  private run: RecordRun | null = null;
  private at = 0;
  private wake: (() => void) | null = null;
  private ended = false;
  private error: Error | null = null;

  constructor(private readonly parser: Readable) {
    const poke = () => {
      const w = this.wake;
      this.wake = null;
      w?.();
    };
    parser.on('readable', poke);
    parser.on('end', () => {
      this.ended = true;
      poke();
    });
    parser.on('close', () => {
      this.ended = true;
      poke();
    });
    parser.on('error', (e: Error) => {
      this.error ??= e;
      poke();
    });
  }

  /** Up to `max` records (at least one); none at the end. Throws the parser's error. */
  async next(max: number): Promise<RecordRun> {
    for (;;) {
      if (this.error !== null) throw this.error;
      if (this.run === null || this.at >= this.run.records.length) {
        this.run = this.parser.read() as RecordRun | null;
        this.at = 0;
      }
      const run = this.run;
      if (run !== null) {
        const from = this.at;
        const to = Math.min(run.records.length, from + max);
        this.at = to;
        if (from === 0 && to === run.records.length) return run;
        return {
          records: run.records.slice(from, to),
          lines: run.lines.slice(from, to),
          texts: run.texts.slice(from, to),
        };
      }
      if (this.ended) return { records: [], lines: [], texts: [] };
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}

/**
 * A scored row's output JSON and CSV cells, written from the raw scores without an object per row,
 * byte for byte what JSON.stringify gave for the object the JSON route answers (keys in the order
 * JavaScript gives them: integer-like keys first, ascending).
 */
class Answers {
  private readonly classes: readonly string[];
  /** Per class index: `{"prediction":<class>,"probabilities":{` and the CSV cells up to the probabilities. */
  private readonly heads: string[];
  private readonly predictionCells: string[];
  /** The probabilities' JSON keys in object order, with the class index each reads. */
  private readonly probabilityKeys: { readonly key: string; readonly at: number }[];
  /** The observation's keys in object order: the feature's column in the chunk, its field in the record. */
  private readonly observationKeys: { readonly key: string; readonly at: number; readonly field: number }[];
  /** The observation's JSON in pieces: keys (constant) and values (filled in for each row). */
  private readonly observationParts: string[];
  private readonly labels: Readonly<Record<string, string>> | null;
  private readonly outputParts: string[];
  private readonly cellParts: string[];

  constructor(
    model: LiveModel,
    classes: readonly string[],
    features: readonly { readonly name: string; readonly at: number }[],
  ) {
    this.classes = classes;
    this.labels = classes.length ? model.classLabels : null;
    this.heads = classes.map((c) => `{"prediction":${JSON.stringify(c)},"probabilities":{`);
    this.predictionCells = classes.map((c) => this.predictionCellsOf(c));
    this.probabilityKeys = objectOrder(classes).map((c) => ({ key: JSON.stringify(c) + ':', at: classes.indexOf(c) }));
    // [head, key, value, key, value, …, '}}'] and [prediction cells, probabilities…, '' (the error cell)]
    this.outputParts = ['', ...this.probabilityKeys.flatMap(({ key }, j) => [(j ? ',' : '') + key, '']), '}}'];
    this.cellParts = new Array<string>(classes.length + 2).fill('');
    const names = features.map((f) => f.name);
    this.observationKeys = objectOrder(names).map((f) => {
      const k = names.indexOf(f);
      return { key: JSON.stringify(f) + ':', at: k, field: features[k].at };
    });
    this.observationParts = this.observationKeys.flatMap(({ key }, j) => [(j ? ',' : '{') + key, '']);
    this.observationParts.push('}');
    if (!this.observationKeys.length) this.observationParts.unshift('{');
  }

  private predictionCellsOf(prediction: string): string {
    let s = csvCell(prediction);
    if (this.labels) s += ',' + csvCell(this.labels[prediction] ?? prediction);
    return s;
  }

  /** Row k's answer, or null when the model gave NaN or ±Inf (or an unknown class) for it. */
  of(raw: RawScores, k: number): { output: string; cells: string } | null {
    if (raw.kind === 'values') {
      const v = raw.values[k];
      if (!Number.isFinite(v)) return null;
      const t = String(v);
      return { output: `{"prediction":${t}}`, cells: `${t},` };
    }
    const c = this.classes.length;
    const label = Number(raw.labels[k]);
    if (!(label >= 0 && label < c)) return null;
    const cells = this.cellParts;
    const output = this.outputParts;
    cells[0] = this.predictionCells[label];
    output[0] = this.heads[label];
    for (let j = 0; j < c; j++) {
      const p = raw.probabilities[k * c + j];
      if (!Number.isFinite(p)) return null;
      cells[j + 1] = String(p);
    }
    for (let j = 0; j < c; j++) output[2 * j + 2] = cells[this.probabilityKeys[j].at + 1];
    return { output: output.join(''), cells: cells.join(',') };
  }

  /** The CSV cells of an answer scored alone (the JSON route's object). */
  cellsOf(scored: Scored): string {
    let s = this.classes.length ? this.predictionCellsOf(String(scored.prediction)) : csvCell(scored.prediction);
    for (const c of this.classes) s += ',' + String(scored.probabilities?.[c] ?? '');
    return s + ',';
  }

  /**
   * Row i's observation as JSON: what JSON.stringify gives for the object of its feature values,
   * except that a number whose text is a JSON number already is written as it was sent ("0.50" for
   * 0.5: the same number to any JSON reader, without the cost of writing the number again).
   */
  observation(chunk: Chunk, i: number): string {
    const parts = this.observationParts;
    const record = chunk.records[i];
    for (let j = 0; j < this.observationKeys.length; j++) {
      const { at, field } = this.observationKeys[j];
      const v = chunk.columns[at][i];
      let t: string;
      if (typeof v === 'number') {
        const raw = record[field];
        t = Number.isNaN(v) ? 'null' : JSON_NUMBER.test(raw) ? raw : String(v);
      } else t = v === null ? 'null' : JSON.stringify(v);
      parts[2 * j + 1] = t;
    }
    return parts.join('');
  }
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** The order JavaScript gives an object's keys (array-index-like ones first, ascending). */
function objectOrder(keys: readonly string[]): string[] {
  return Object.keys(Object.fromEntries(keys.map((k) => [k, 0])));
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
