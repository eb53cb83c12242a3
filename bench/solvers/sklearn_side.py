"""scikit-learn's side of `pnpm bench:solvers` (Debian's /usr/bin/python3, scikit-learn 1.2).

`make CASE ROWS DIR`: writes the case's data (make_classification / make_regression with 20
features, random_state 0, train_test_split 0.8 with random_state 214; digits for the grids) as raw
little-endian float64 files Xtr.f64, ytr.f64, Xte.f64, yte.f64 plus meta.json, which our side reads.
`fit CASE DIR`: fits scikit-learn's model on those files (n_jobs=1), writes its predictions to
sk_pred.f64 and prints one JSON line: seconds, peak RSS (MB) of this process, test score.
"""
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np


def split(X, y):
    from sklearn.model_selection import train_test_split
    return train_test_split(X, y, train_size=0.8, random_state=214)


def make(case, rows, out):
    from sklearn.datasets import load_digits, make_classification, make_regression
    if case in ('logistic', 'knn', 'svc'):
        X, y = make_classification(n_samples=rows, n_features=20, n_informative=10, random_state=0)
    elif case == 'svr':
        X, y = make_regression(n_samples=rows, n_features=20, n_informative=10, noise=10.0, random_state=0)
    elif case in ('logistic_grid', 'linear_svc_grid'):
        X, y = load_digits(return_X_y=True)
    else:
        raise SystemExit(f'unknown case {case}')
    Xtr, Xte, ytr, yte = split(X.astype(np.float64), y.astype(np.float64))
    if case == 'knn':
        Xte, yte = Xte[:1000], yte[:1000]
    if case in ('svc', 'svr'):
        # the kernel SVMs are scaled first, as anyone fitting an RBF kernel would
        from sklearn.preprocessing import StandardScaler
        sc = StandardScaler().fit(Xtr)
        Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, a in (('Xtr', Xtr), ('ytr', ytr), ('Xte', Xte), ('yte', yte)):
        np.ascontiguousarray(a, dtype='<f8').tofile(out / f'{name}.f64')
    (out / 'meta.json').write_text(json.dumps({'case': case, 'train': Xtr.shape[0], 'test': Xte.shape[0], 'cols': Xtr.shape[1]}))


def load(out):
    out = Path(out)
    meta = json.loads((out / 'meta.json').read_text())
    p = meta['cols']
    Xtr = np.fromfile(out / 'Xtr.f64').reshape(-1, p)
    Xte = np.fromfile(out / 'Xte.f64').reshape(-1, p)
    return meta, Xtr, np.fromfile(out / 'ytr.f64'), Xte, np.fromfile(out / 'yte.f64')


def fit(case, out):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC, SVR, LinearSVC
    meta, Xtr, ytr, Xte, yte = load(out)
    Cs = np.arange(0.1, 100.1 + 10, 10)
    Cs = Cs[Cs <= 100.1 + 1e-9]
    t0 = time.perf_counter()
    c0 = time.process_time()
    if case == 'logistic':
        m = LogisticRegression(C=1.0).fit(Xtr, ytr)
    elif case == 'knn':
        m = KNeighborsClassifier(n_neighbors=5, n_jobs=1).fit(Xtr, ytr)
    elif case == 'svc':
        m = SVC(C=1.0).fit(Xtr, ytr)
    elif case == 'svr':
        m = SVR(C=1.0).fit(Xtr, ytr)
    elif case in ('logistic_grid', 'linear_svc_grid'):
        est = LogisticRegression() if case == 'logistic_grid' else LinearSVC()
        name = 'logisticregression' if case == 'logistic_grid' else 'linearsvc'
        m = GridSearchCV(make_pipeline(StandardScaler(), est), {f'{name}__C': Cs}, cv=5, n_jobs=1).fit(Xtr, ytr)
    fit_s = time.perf_counter() - t0
    fit_cpu = time.process_time() - c0
    t1 = time.perf_counter()
    pred = m.predict(Xte)
    predict_s = time.perf_counter() - t1
    cpu = time.process_time() - c0
    np.ascontiguousarray(pred, dtype='<f8').tofile(Path(out) / 'sk_pred.f64')
    score = float(m.score(Xte, yte))
    extra = {}
    if case in ('svc', 'svr'):
        extra['support'] = int(m.support_.size)
    if case.endswith('_grid'):
        extra['best_C'] = float(list(m.best_params_.values())[0])
    print(json.dumps({'fit_s': fit_s, 'predict_s': predict_s, 'fit_cpu_s': fit_cpu, 'cpu_s': cpu, 'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'score': score, **extra}))


if __name__ == '__main__':
    if sys.argv[1] == 'make':
        make(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        fit(sys.argv[2], sys.argv[3])
