// `pnpm bench:solvers [--case=NAME …] [--repeat=N] [--quick]`: the scaling solvers of issue 21 side
// by side with scikit-learn 1.2 (Debian's /usr/bin/python3, n_jobs=1), in one run, alternating ours
// and scikit-learn's so both see the same machine load: logistic regression at 100k / 1M rows,
// k-NN (k=5) predicting 1,000 rows from 80k / 800k, RBF SVC and SVR at 30k rows (80 % fitted),
// and the 5-fold grids over 11 C values on digits (logistic regression, linear SVC). Each side runs
// in its own process (ours: bench/solvers/ours.ts from the production build; scikit-learn:
// bench/solvers/sklearn_side.py), so each peak RSS is its own. Data: make_classification /
// make_regression with 20 features (sklearn_side.py make), written once to $TMPDIR.
// Prints a table (wall and CPU seconds, peak RSS, score, predictions that differ) and, last, one
// JSON line: {"<case>": {"time_ratio", "cpu_ratio", "rss_ratio", "score_gap", "pred_diff"}, …}.
// CPU seconds are reported too because the machine may be shared: wall time then measures the load.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const PY = '/usr/bin/python3';
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

const CASES = [
  { name: 'logistic-100k', kind: 'logistic', rows: 100_000 },
  { name: 'logistic-1M', kind: 'logistic', rows: 1_000_000 },
  { name: 'knn-80k', kind: 'knn', rows: 100_000 },
  { name: 'knn-800k', kind: 'knn', rows: 1_000_000 },
  { name: 'svc-30k', kind: 'svc', rows: 30_000 },
  { name: 'svr-30k', kind: 'svr', rows: 30_000 },
  { name: 'logistic-digits-grid', kind: 'logistic_grid', rows: 0 },
  { name: 'linear-svc-digits-grid', kind: 'linear_svc_grid', rows: 0 },
] as const;

const args = process.argv.slice(2);
const only = args.filter((a) => a.startsWith('--case=')).map((a) => a.slice('--case='.length));
const repeat = Number(args.find((a) => a.startsWith('--repeat='))?.slice('--repeat='.length) ?? 1);
const quick = args.includes('--quick'); // skips the 1M / 800k cases

process.stderr.write('building services/ml …\n');
execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-b', join(ROOT, 'services', 'ml')], { stdio: 'inherit' });

interface Side {
  fit_s: number;
  predict_s: number;
  cpu_s: number;
  peak_rss_mb: number;
  score: number;
  support?: number;
  best_C?: number;
}
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const f64 = (path: string): Float64Array => {
  const b = readFileSync(path);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

const ratios: Record<string, Record<string, number>> = {};
const lines: string[] = [];
for (const c of CASES) {
  if (only.length > 0 && !only.includes(c.name)) continue;
  if (quick && c.rows >= 1_000_000) continue;
  const dir = join(tmpdir(), 'enchilada-bench-solvers', `${c.kind}-${c.rows}`);
  if (!existsSync(join(dir, 'meta.json'))) {
    process.stderr.write(`${c.name}: writing data …\n`);
    execFileSync(PY, [join(HERE, 'sklearn_side.py'), 'make', c.kind, String(c.rows), dir], { stdio: 'inherit' });
  }
  const ours: Side[] = [],
    sk: Side[] = [];
  for (let r = 0; r < repeat; r++) {
    // alternate which side goes first, so a change in load is shared
    const runOurs = () =>
      ours.push(
        JSON.parse(
          execFileSync(TSX, [join(HERE, 'ours.ts'), c.kind, dir], { encoding: 'utf8', maxBuffer: 1 << 26 })
            .trim()
            .split('\n')
            .at(-1) ?? '{}',
        ) as Side,
      );
    const runSk = () =>
      sk.push(
        JSON.parse(
          execFileSync(PY, [join(HERE, 'sklearn_side.py'), 'fit', c.kind, dir], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          })
            .trim()
            .split('\n')
            .at(-1) ?? '{}',
        ) as Side,
      );
    if (r % 2 === 0) {
      runOurs();
      runSk();
    } else {
      runSk();
      runOurs();
    }
    process.stderr.write(
      `${c.name} run ${r + 1}: ours ${JSON.stringify(ours.at(-1))}\n${' '.repeat(c.name.length)} run ${r + 1}: sklearn ${JSON.stringify(sk.at(-1))}\n`,
    );
  }
  const a = f64(join(dir, 'ours_pred.f64')),
    b = f64(join(dir, 'sk_pred.f64'));
  let diff = 0;
  const regression = c.kind === 'svr';
  for (let i = 0; i < a.length; i++)
    if (regression ? Math.abs(a[i] - b[i]) > 1e-3 * Math.max(1, Math.abs(b[i])) : a[i] !== b[i]) diff++;
  const t = (s: Side[]) => median(s.map((x) => x.fit_s + x.predict_s));
  const cpu = (s: Side[]) => median(s.map((x) => x.cpu_s));
  const rss = (s: Side[]) => Math.max(...s.map((x) => x.peak_rss_mb));
  const o = ours.at(-1) as Side,
    k = sk.at(-1) as Side;
  ratios[c.name] = {
    time_ratio: +(t(ours) / t(sk)).toFixed(3),
    cpu_ratio: +(cpu(ours) / cpu(sk)).toFixed(3),
    rss_ratio: +(rss(ours) / rss(sk)).toFixed(3),
    score_gap: +(o.score - k.score).toFixed(5),
    pred_diff: diff,
  };
  lines.push(
    `${c.name.padEnd(24)} ours ${t(ours).toFixed(2).padStart(7)} s (cpu ${cpu(ours).toFixed(2).padStart(6)}) ${rss(ours).toFixed(0).padStart(5)} MB  score ${o.score.toFixed(4)}` +
      ` | sklearn ${t(sk).toFixed(2).padStart(7)} s (cpu ${cpu(sk).toFixed(2).padStart(6)}) ${rss(sk).toFixed(0).padStart(5)} MB  score ${k.score.toFixed(4)}` +
      ` | ${diff}/${a.length} predictions differ${o.support !== undefined ? `, SVs ${o.support} vs ${k.support}` : ''}${o.best_C !== undefined ? `, best C ${o.best_C} vs ${k.best_C}` : ''}`,
  );
}
console.log(lines.join('\n'));
console.log(JSON.stringify(ratios));
