"""Reference fixtures for the scaling solvers (services/ml/test/parity-solvers.test.ts): binary
logistic regression (one logit), k-NN through scikit-learn's trees with tied distances, and kernel
SVMs whose dual objective, support vectors and scores the bounded-cache solver must reproduce.
Each fixture carries its own small data. Written to services/ml/test/fixtures/solvers/, kept unless
--force. Usage: solver_fixtures.py [--force]
"""
import argparse
import json
import os

import numpy as np
from sklearn.datasets import load_breast_cancer, make_classification, make_regression
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'solvers')


def plain(v):
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, np.ndarray):
        return plain(v.tolist())
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return float(v)
    return v


def write(name, obj, force):
    path = os.path.join(OUT, f'{name}.json')
    if os.path.exists(path) and not force:
        print(f'{path}: kept (use --force to rewrite)')
        return
    os.makedirs(OUT, exist_ok=True)
    with open(path + '.tmp', 'w') as f:
        json.dump(plain(obj), f, separators=(',', ':'))
    os.replace(path + '.tmp', path)  # a half-written file never looks like a fixture
    print(f'{path}: written')


def logistic(force):
    cancer = load_breast_cancer()
    Xc = StandardScaler().fit_transform(cancer.data)
    Xs, ys = make_classification(n_samples=400, n_features=6, n_informative=4, random_state=3)
    cases = []
    for name, X, y in (('breast_cancer', Xc, cancer.target), ('synthetic', Xs, ys)):
        for C in (0.01, 1.0, 100.0):
            m = LogisticRegression(C=C).fit(X, y)
            cases.append({'name': name, 'C': C, 'X': X, 'y': y, 'coef': m.coef_[0], 'intercept': m.intercept_[0],
                          'n_iter': m.n_iter_[0], 'pred': m.predict(X), 'proba': m.predict_proba(X)[:, 1]})
    write('logistic_binary', {'cases': cases}, force)


def svm(force):
    from sklearn.metrics.pairwise import rbf_kernel
    cases = []
    Xb, yb = make_classification(n_samples=500, n_features=2, n_informative=2, n_redundant=0, n_clusters_per_class=2, flip_y=0.1, random_state=5)
    X3, y3 = make_classification(n_samples=360, n_features=4, n_informative=3, n_redundant=0, n_classes=3, random_state=6)
    Xr, yr = make_regression(n_samples=400, n_features=3, noise=5.0, random_state=7)
    for name, X, y, task in (('binary', Xb, yb, 'classification'), ('three_classes', X3, y3, 'classification'), ('regression', Xr, yr / yr.std(), 'regression')):
        X = StandardScaler().fit_transform(X)
        m = (SVC(C=1.0) if task == 'classification' else SVR(C=1.0)).fit(X, y)
        K = rbf_kernel(X[m.support_], gamma=m._gamma)
        dual = None
        if name == 'binary':
            c = m.dual_coef_[0]
            dual = 0.5 * c @ K @ c - np.abs(c).sum()
        elif task == 'regression':
            c = m.dual_coef_[0]
            dual = 0.5 * c @ K @ c + m.epsilon * np.abs(c).sum() - y[m.support_] @ c
        cases.append({'name': name, 'task': task, 'X': X, 'y': y, 'support': m.support_, 'n_support': m.n_support_,
                      'dual_coef': m.dual_coef_, 'intercept': m.intercept_, 'dual_objective': dual,
                      'decision': m.decision_function(X) if task == 'classification' else m.predict(X), 'pred': m.predict(X)})
    write('svm', {'cases': cases}, force)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--force', action='store_true', help='rewrite existing fixture files')
    args, _ = ap.parse_known_args()  # fixtures.sh passes the other scripts' options too
    logistic(args.force)
    svm(args.force)


if __name__ == '__main__':
    main()
