// Shared by serve's tests of real tables: a Titanic-shaped dataset of 200 passengers (survival
// depends on sex and class; age, cabin and embarked have gaps; the boarding date is a date column)
// loaded into a test database, and viz's training job run on it as a worker would run it.
import { Readable } from 'node:stream';
import type { Pool } from '@enchilada/core';
import { loadDataset, openCsv, type Dataset } from '@enchilada/data';
import { JobQueue } from '@enchilada/jobs';
import type { TrainResult, TrainSpec } from '@enchilada/models';
import { runTrainJob } from '../../viz/src/training/train-job.js';

export function titanicCsv(): string {
  const lines = ['PassengerId,Survived,Pclass,Sex,Age,SibSp,Parch,Cabin,Embarked,Fare,Boarded'];
  for (let i = 1; i <= 200; i++) {
    const sex = i % 3 === 0 ? 'female' : 'male';
    const pclass = 1 + (i % 3);
    const survived = (sex === 'female' ? 1 : 0) ^ (pclass === 3 && i % 7 === 0 ? 1 : 0);
    const age = i % 9 === 0 ? '' : String(18 + ((i * 7) % 50));
    const cabin = i % 4 === 0 ? `C${i % 11}` : '';
    const embarked = i % 25 === 0 ? '' : ['S', 'C', 'Q'][i % 3];
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push(
      `${i},${survived},${pclass},${sex},${age},${i % 4},${i % 3},${cabin},${embarked},${(7 + i * 0.37).toFixed(2)},1912-04-${day}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Loads the table as dataset `titanic` (target Survived, identifier PassengerId, every other column a feature). */
export async function loadTitanic(pool: Pool): Promise<Dataset> {
  return loadDataset(
    pool,
    {
      name: 'titanic',
      title: 'Titanic',
      origin: 'upload',
      task: 'classification',
      createdBy: null,
      columns: [
        { name: 'PassengerId', type: 'integer', role: 'identifier' },
        { name: 'Survived', type: 'integer', role: 'target' },
        { name: 'Pclass', type: 'integer', role: 'feature' },
        { name: 'Sex', type: 'text', role: 'feature' },
        { name: 'Age', type: 'decimal', role: 'feature' },
        { name: 'SibSp', type: 'integer', role: 'feature' },
        { name: 'Parch', type: 'integer', role: 'feature' },
        { name: 'Cabin', type: 'text', role: 'feature' },
        { name: 'Embarked', type: 'text', role: 'feature' },
        { name: 'Fare', type: 'decimal', role: 'feature' },
        { name: 'Boarded', type: 'date', role: 'feature' },
      ],
    },
    await openCsv(Readable.from([titanicCsv()])),
  );
}

/** Queues a training job on `ds` (split 0.8, seed 214), claims it and runs it to the end. */
export async function trainOn(
  pool: Pool,
  ds: Dataset,
  job: Pick<TrainSpec, 'model' | 'features' | 'grid' | 'folds'>,
): Promise<TrainResult> {
  const spec: TrainSpec = { datasetId: ds.id, datasetVersion: ds.version, trainFraction: 0.8, seed: 214, ...job };
  const fits = Object.values(spec.grid).reduce((n, values) => n * values.length, spec.folds);
  const queue = new JobQueue(pool);
  const jobId = await queue.enqueue({ kind: 'train', spec, datasetId: ds.id, createdBy: null, total: fits });
  const claimed = await queue.claim('test', ['train']);
  if (!claimed || claimed.id !== jobId) throw new Error('the job was not claimed');
  return runTrainJob({ pool, queue }, claimed as typeof claimed & { spec: TrainSpec }, new AbortController().signal);
}
