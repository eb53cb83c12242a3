// The toy datasets shipped in db/datasets: their descriptions (toy-datasets.json) and one-click loading.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError, type Pool } from '@enchilada/core';
import type { ColumnSpec, Task } from './column-types.js';
import type { Dataset } from './catalog.js';
import type { ClassLabels } from './class-labels.js';
import { openCsv } from './csv-reader.js';
import { loadDataset, type LoadOptions } from './ingest.js';

export interface ToyColumn extends ColumnSpec {
  readonly unit?: string;
  readonly description: string;
}
export interface ToyDataset {
  readonly name: string;
  readonly title: string;
  readonly file: string;
  readonly task: Task;
  readonly target: string;
  readonly summary: string;
  readonly source: string;
  readonly provenance: string;
  readonly licence: string;
  readonly columns: readonly ToyColumn[];
  /** Names of the target's classes where its values are codes (Breast Cancer's 0 and 1). */
  readonly classLabels?: ClassLabels;
}

export class ToyDatasets {
  private cache: ToyDataset[] | null = null;
  constructor(private readonly dir: string) {}

  async list(): Promise<ToyDataset[]> {
    if (!this.cache) {
      const raw = JSON.parse(await readFile(join(this.dir, 'toy-datasets.json'), 'utf8')) as Record<
        string,
        Omit<ToyDataset, 'name'>
      >;
      this.cache = Object.entries(raw).map(([name, d]) => ({ name, ...d }));
    }
    return this.cache;
  }

  async get(name: string): Promise<ToyDataset> {
    const d = (await this.list()).find((t) => t.name === name);
    if (!d) throw new NotFoundError(`there is no toy dataset named ${JSON.stringify(name)}`);
    return d;
  }

  /** Loads (or reloads: a new version, atomically) the toy dataset into the database. */
  async load(pool: Pool, name: string, createdBy: number | null, opts: LoadOptions = {}): Promise<Dataset> {
    const toy = await this.get(name);
    const source = await openCsv(createReadStream(join(this.dir, toy.file)));
    return loadDataset(
      pool,
      {
        name: toy.name,
        title: toy.title,
        origin: 'toy',
        task: toy.task,
        createdBy,
        replace: true,
        classLabels: toy.classLabels ?? null,
        columns: toy.columns.map(({ name: n, type, role, unit }) =>
          unit ? { name: n, type, role, unit } : { name: n, type, role },
        ),
      },
      source,
      opts,
    );
  }
}
