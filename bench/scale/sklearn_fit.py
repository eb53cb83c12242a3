#!/usr/bin/python3
"""One side of `pnpm bench:scale`: make_classification (20 features, random_state=0) written as raw
float64/int32 files for ours (`data DIR N`), or scikit-learn's HistGradientBoostingClassifier
fitted on the first 80 % of those rows and scored on the rest (`fit DIR N`), printing one JSON line
with the fit time (wall and CPU), test accuracy, iterations and this process's peak RSS. Threads: set
OMP_NUM_THREADS before starting it (run.ts matches ours).
"""
import json
import os
import resource
import sys
import time

import numpy as np


def main():
    mode, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    xs, ys = os.path.join(out, f'X-{n}.f64'), os.path.join(out, f'y-{n}.i32')
    if mode == 'data':
        from sklearn.datasets import make_classification
        if not os.path.exists(xs):
            X, y = make_classification(n_samples=n, n_features=20, random_state=0)
            X.astype(np.float64).tofile(xs)
            y.astype(np.int32).tofile(ys)
        return
    from sklearn.ensemble import HistGradientBoostingClassifier
    X = np.fromfile(xs, dtype=np.float64).reshape(n, 20)
    y = np.fromfile(ys, dtype=np.int32)
    cut = int(0.8 * n)
    model = HistGradientBoostingClassifier(random_state=0)
    t0, c0 = time.perf_counter(), time.process_time()
    model.fit(X[:cut], y[:cut])
    fit_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
    acc = float(model.score(X[cut:], y[cut:]))
    print(json.dumps({'fit_s': fit_s, 'cpu_s': cpu_s, 'accuracy': acc, 'n_iter': int(model.n_iter_),
                      'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == '__main__':
    main()
