#!/usr/bin/python3
"""SciPy's drift tests as the reference for services/ml's metrics/drift.ts.

Run with Debian's /usr/bin/python3 (python3-scipy) as part of `pnpm fixtures`. Writes
services/ml/test/fixtures/drift/tests.json:
  kolmogorov  x and scipy.special.kolmogorov(x) (the Kolmogorov distribution's survival function)
  ks          pairs of samples (reference, live) with ks_2samp's statistic and default p-value, and
              kstwobign.sf((sqrt(e) + 0.12 + 0.11/sqrt(e)) * D), e = n*m/(n+m), the formula drift.ts uses
  chi2        live counts and reference shares with scipy.stats.chisquare(f_obs, shares * n)
              over the buckets that occur on either side (as Evidently's chi_stat_test)
The file is kept when it exists unless --force.
Usage: drift_fixtures.py [--force]
"""
import argparse
import json
import os

import numpy as np
from scipy import special, stats

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..'))
OUT = os.path.join(ROOT, 'services', 'ml', 'test', 'fixtures', 'drift', 'tests.json')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--force', action='store_true')
    args = ap.parse_args()
    if os.path.exists(OUT) and not args.force:
        print(f'{OUT}: kept (use --force to rewrite)')
        return
    rng = np.random.default_rng(17)
    xs = [0.05, 0.3, 0.6, 0.8, 1.0, 1.17, 1.19, 1.36, 1.63, 2.0, 3.0]
    kolmogorov = [{'x': x, 'sf': float(special.kolmogorov(x))} for x in xs]
    ks = []
    # (reference size, live size, shift of the live mean, rounding of the values: ties)
    for n, m, shift, digits in [(2000, 61, 0.0, None), (2000, 61, 0.6, None), (120, 30, 0.0, None), (2000, 1000, 0.1, None),
                                 (500, 40, 0.3, None), (300, 35, 0.0, 1), (2000, 200, 1.5, None)]:
        a = rng.normal(size=n)
        b = rng.normal(loc=shift, size=m)
        if digits is not None:
            a, b = np.round(a, digits), np.round(b, digits)
        r = stats.ks_2samp(a, b)
        e = np.sqrt(n * m / (n + m))
        ks.append({'reference': a.tolist(), 'live': b.tolist(), 'statistic': float(r.statistic), 'pValue': float(r.pvalue),
                   'pStephens': float(stats.kstwobign.sf((e + 0.12 + 0.11 / e) * r.statistic))})
    chi2 = []
    for observed, shares in [([10, 12, 8, 0, 0], [0.3, 0.4, 0.3, 0, 0]), ([30, 2, 1, 0, 0], [0.3, 0.4, 0.3, 0, 0]),
                             ([20, 20, 0, 0, 5], [0.5, 0.45, 0, 0, 0.05]), ([40, 35, 25], [0.4, 0.35, 0.25]),
                             ([100, 300, 200, 400], [0.1, 0.3, 0.2, 0.4]), ([20, 10, 0, 3, 0], [0.6, 0.4, 0, 0, 0])]:
        n = sum(observed)
        keep = [k for k in range(len(observed)) if observed[k] > 0 or shares[k] > 0]
        with np.errstate(divide='ignore'):
            r = stats.chisquare([observed[k] for k in keep], [shares[k] * n for k in keep])
        # JSON has no infinity: an observed bucket without an expected share is null, p 0
        statistic = float(r.statistic) if np.isfinite(r.statistic) else None
        chi2.append({'observed': observed, 'shares': shares, 'statistic': statistic, 'pValue': float(r.pvalue)})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump({'scipy': __import__('scipy').__version__, 'kolmogorov': kolmogorov, 'ks': ks, 'chi2': chi2}, f)
    print(f'{OUT}: written')


if __name__ == '__main__':
    main()
