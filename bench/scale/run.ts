// `pnpm bench:scale [--sizes=10000,100000,1000000] [--repeats=1]`: our HistGradientBoostingClassifier
// against scikit-learn 1.2's (Debian's /usr/bin/python3) on make_classification, 20 features, fitted
// on 80 % of the rows and scored on the rest, default parameters (early stopping on above 10,000
// rows). Ours runs on one thread, so scikit-learn gets OMP_NUM_THREADS=1. Each fit is its own
// process (so peak RSS is that fit's), ours and scikit-learn's alternating within a size. Reports
// wall and CPU time of the fit (CPU time is the fairer figure on a shared machine: one thread each).
// Prints a table, then one JSON line of ratios (ours / scikit-learn) per size.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const PY = process.env.REFERENCE_PYTHON ?? '/usr/bin/python3';
const arg = (name: string, dflt: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const sizes = arg('sizes', '10000,100000,1000000').split(',').map(Number);
const repeats = Number(arg('repeats', '1'));
const THREADS = 1;

process.stderr.write('building services/ml …\n');
execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-b', join(ROOT, 'services', 'ml')], { stdio: 'inherit' });
const dir = join(tmpdir(), 'enchilada-bench-scale');
mkdirSync(dir, { recursive: true });

interface Fit {
  fit_s: number;
  cpu_s: number;
  accuracy: number;
  n_iter: number;
  peak_rss_mb: number;
}
const env = { ...process.env, OMP_NUM_THREADS: String(THREADS), OPENBLAS_NUM_THREADS: String(THREADS) };
const ours = (n: number): Fit =>
  JSON.parse(
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(HERE, 'ours-fit.ts'), dir, String(n)],
      { env, maxBuffer: 1 << 20 },
    )
      .toString()
      .trim()
      .split('\n')
      .pop() ?? '',
  ) as Fit;
const sklearn = (n: number): Fit =>
  JSON.parse(
    execFileSync(PY, [join(HERE, 'sklearn_fit.py'), 'fit', dir, String(n)], { env })
      .toString()
      .trim()
      .split('\n')
      .pop() ?? '',
  ) as Fit;
const best = (fits: Fit[]): Fit => fits.reduce((a, b) => (b.fit_s < a.fit_s ? b : a));

const ratios: Record<
  string,
  {
    fit_time: number;
    cpu_time: number;
    accuracy_gap: number;
    peak_rss: number;
    ours_s: number;
    sklearn_s: number;
    ours_cpu_s: number;
    sklearn_cpu_s: number;
  }
> = {};
console.log(
  `threads: ${THREADS} (ours) / OMP_NUM_THREADS=${THREADS} (scikit-learn); best of ${repeats} fit(s) each, alternating`,
);
console.log('rows       side     wall s    CPU s  accuracy  iters  peak RSS MB');
for (const n of sizes) {
  execFileSync(PY, [join(HERE, 'sklearn_fit.py'), 'data', dir, String(n)], { env });
  const a: Fit[] = [],
    b: Fit[] = [];
  for (let r = 0; r < repeats; r++) {
    // alternate which side goes first, so neither always meets the other's leftovers
    if (r % 2 === 0) {
      a.push(ours(n));
      b.push(sklearn(n));
    } else {
      b.push(sklearn(n));
      a.push(ours(n));
    }
  }
  const o = best(a),
    s = best(b);
  for (const [side, f] of [
    ['ours', o],
    ['sklearn', s],
  ] as const) {
    console.log(
      `${String(n).padEnd(10)} ${side.padEnd(8)} ${f.fit_s.toFixed(2).padStart(7)}  ${f.cpu_s.toFixed(2).padStart(7)}  ${f.accuracy.toFixed(4).padStart(8)}  ${String(f.n_iter).padStart(5)}  ${f.peak_rss_mb.toFixed(0).padStart(10)}`,
    );
  }
  ratios[String(n)] = {
    fit_time: o.fit_s / s.fit_s,
    cpu_time: o.cpu_s / s.cpu_s,
    accuracy_gap: o.accuracy - s.accuracy,
    peak_rss: o.peak_rss_mb / s.peak_rss_mb,
    ours_s: o.fit_s,
    sklearn_s: s.fit_s,
    ours_cpu_s: o.cpu_s,
    sklearn_cpu_s: s.cpu_s,
  };
}
console.log(JSON.stringify({ model: 'hist_gradient_boosting_classifier', threads: THREADS, ratios }));
