// The landing page's getting-started path: load or upload → explore → train → publish → call,
// each step done or not for the person signed in, the first one not done marked as next. A
// viewer (read-only) gets the same path as things to look at, without the steps they cannot take.
import type { Catalog } from '@enchilada/data';
import type { ModelRegistry, ModelSummary, PublishedModels, PublishedName, Predictions } from '@enchilada/models';

export interface HomeFacts {
  readonly datasets: number;
  readonly current: { readonly id: number; readonly title: string } | null;
  /** Models this person trained, and models of anyone. */
  readonly ownModels: number;
  readonly anyModels: number;
  /** Names this person published, and names of anyone. */
  readonly ownNames: readonly string[];
  readonly anyNames: number;
  /** Predictions served under this person's names, and under any name. */
  readonly ownCalls: number;
  readonly anyCalls: number;
}

export interface Step {
  readonly key: string;
  readonly title: string;
  readonly done: boolean;
  readonly next: boolean;
  /** What it means for this person: what was done, or what to do. */
  readonly text: string;
  readonly href: string;
  /** The link's label when the step is next or still to do. */
  readonly action: string;
}

const n = (v: number, one: string, many = `${one}s`) => `${v.toLocaleString('en-US')} ${v === 1 ? one : many}`;

export function gettingStarted(f: HomeFacts, role: 'admin' | 'editor' | 'viewer'): Step[] {
  const steps: Omit<Step, 'next'>[] =
    role === 'viewer'
      ? [
          {
            key: 'pick',
            title: 'Pick a dataset',
            done: f.current !== null,
            href: '/datasets',
            action: 'Choose a dataset',
            text: f.current
              ? `${f.current.title} is your current dataset`
              : f.datasets
                ? `${n(f.datasets, 'dataset')} to choose from`
                : 'No dataset yet: an editor loads or uploads one',
          },
          {
            key: 'explore',
            title: 'Explore it',
            done: f.current !== null,
            href: '/explore',
            action: 'Explore',
            text: f.current
              ? `Columns, distributions and correlations of ${f.current.title}`
              : 'Distributions and correlations of its columns, once one is chosen',
          },
          {
            key: 'results',
            title: 'Read the results of a model',
            done: f.anyModels > 0,
            href: '/models',
            action: 'See the models',
            text: f.anyModels ? `${n(f.anyModels, 'model')} trained` : 'No model is trained yet',
          },
          {
            key: 'published',
            title: 'See what is published',
            done: f.anyNames > 0,
            href: '/published',
            action: 'See the published names',
            text: f.anyNames ? `${n(f.anyNames, 'name')} answering predictions` : 'Nothing is published yet',
          },
          {
            key: 'predictions',
            title: 'Follow the predictions',
            done: f.anyCalls > 0,
            href: '/predictions',
            action: 'See the predictions',
            text: f.anyCalls
              ? `${n(f.anyCalls, 'prediction')} served, with their outcomes and monitoring`
              : 'No prediction has been served yet',
          },
        ]
      : [
          {
            key: 'load',
            title: 'Load or upload a dataset',
            done: f.datasets > 0,
            href: '/datasets',
            action: 'Load a toy dataset or upload a CSV',
            text: f.datasets
              ? `${n(f.datasets, 'dataset')} loaded`
              : 'Start with a toy dataset (Iris, Penguins, Wine, …) or your own CSV',
          },
          {
            key: 'explore',
            title: 'Explore it',
            done: f.current !== null,
            href: f.current ? '/explore' : '/datasets',
            action: f.current ? 'Explore' : 'Choose a dataset',
            text: f.current
              ? `${f.current.title} is your current dataset`
              : 'Choose a dataset, then look at its columns, distributions and correlations',
          },
          {
            key: 'train',
            title: 'Train a model',
            done: f.ownModels > 0,
            href: '/train',
            action: 'Train',
            text: f.ownModels
              ? `You trained ${n(f.ownModels, 'model')}`
              : 'Pick features and a model; a grid search with cross-validation finds its settings',
          },
          {
            key: 'publish',
            title: 'Publish it under a name',
            done: f.ownNames.length > 0,
            href: '/models',
            action: 'Publish from a model’s page',
            text: f.ownNames.length
              ? `Published as ${f.ownNames.join(', ')}`
              : 'Give your best model a name that programs can call',
          },
          // API keys are an administrator's to create: an editor is told whom to ask, and is sent to the
          // Published page, whose example requests need only the key.
          role === 'admin'
            ? {
                key: 'call',
                title: 'Call it from another program',
                done: f.ownCalls > 0,
                href: f.ownCalls ? '/predictions' : '/api-keys',
                action: 'Create an API key',
                text: f.ownCalls
                  ? `${n(f.ownCalls, 'prediction')} served under your names`
                  : 'Create an API key and send an observation to the prediction API (port 8000)',
              }
            : {
                key: 'call',
                title: 'Call it from another program',
                done: f.ownCalls > 0,
                href: f.ownCalls ? '/predictions' : '/published',
                action: 'See the example requests',
                text: f.ownCalls
                  ? `${n(f.ownCalls, 'prediction')} served under your names`
                  : 'Ask an administrator for an API key, then send an observation to the prediction API (port 8000)',
              },
        ];
  const next = steps.findIndex((s) => !s.done);
  return steps.map((s, i) => ({ ...s, next: i === next }));
}

export interface Home {
  readonly steps: Step[];
  readonly models: ModelSummary[];
  readonly names: PublishedName[];
}

/** Reads what the path needs: counts from the owning packages, a handful of rows each. */
export async function homeFor(
  deps: {
    readonly catalog: Catalog;
    readonly registry: ModelRegistry;
    readonly published: PublishedModels;
    readonly predictions: Predictions;
  },
  user: { readonly id: number; readonly role: 'admin' | 'editor' | 'viewer' },
  current: { readonly id: number; readonly title: string } | null,
): Promise<Home> {
  const [datasets, ownModels, anyModels, models, names, anyCalls] = await Promise.all([
    deps.catalog.list(),
    deps.registry.count(user.id),
    deps.registry.count(),
    deps.registry.latest({ limit: 5 }),
    deps.published.list(),
    deps.predictions.countWhere({}),
  ]);
  const ownNames = names.filter((p) => p.ownerId === user.id).map((p) => p.name);
  const ownCalls = (await Promise.all(ownNames.map((name) => deps.predictions.countWhere({ modelName: name })))).reduce(
    (a, b) => a + b,
    0,
  );
  const steps = gettingStarted(
    { datasets: datasets.length, current, ownModels, anyModels, ownNames, anyNames: names.length, ownCalls, anyCalls },
    user.role,
  );
  return { steps, models, names };
}
