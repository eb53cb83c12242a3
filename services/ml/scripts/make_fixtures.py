#!/usr/bin/python3
"""Writes scikit-learn reference results that the parity tests of @enchilada/ml compare against.

Run with Debian's /usr/bin/python3 (python3-sklearn 1.2.1) as `pnpm fixtures` from the repository
root. For every dataset and model of the seed workload it runs StandardScaler + model,
train_test_split(train_size=0.8, random_state=214) and GridSearchCV(cv=5, n_jobs=-1) over the
seed's default grids, and writes services/ml/test/fixtures/<dataset>/<model>.json. Existing files
are kept unless --force. Usage: make_fixtures.py [--force] [--dataset NAME ...] [--model ID ...]
"""
import argparse
import json
import os
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.ensemble import (GradientBoostingClassifier, GradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import (accuracy_score, average_precision_score, classification_report,
                             confusion_matrix, mean_absolute_error, mean_squared_error,
                             precision_recall_curve, r2_score, roc_auc_score, roc_curve, auc)
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR, LinearSVC, LinearSVR

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..'))
DATA = os.path.join(ROOT, 'db', 'datasets')
OUT = os.path.normpath(os.path.join(HERE, '..', 'test', 'fixtures'))

SEED = 214
# The seed application's default slider grids.
ALPHA_C = np.arange(0.1, 100.1 + 10, 10)            # 0.1, 10.1, …, 100.1
LEARNING_RATE = np.arange(0.1, 1.0 + 0.1, 0.1)
MAX_DEPTH = np.arange(3, 11)
N_ESTIMATORS = np.arange(50, 251, 50)
N_NEIGHBORS = np.arange(3, 11)
# The full boosting grid is 400 candidates (minutes per dataset); fixtures use the reduced one.
BOOST_GRID = {'learning_rate': [0.1, 0.5, 1.0], 'n_estimators': [50, 150, 250], 'max_depth': [3, 6, 10]}
FOREST_GRID = {'n_estimators': N_ESTIMATORS, 'max_depth': MAX_DEPTH}

# id -> (factory, grid, deterministic). Random models get random_state=0 so a rerun writes the same file.
CLASSIFIERS = {
    'gradient_boosting_classifier': (lambda: GradientBoostingClassifier(random_state=0), BOOST_GRID, False),
    'knn_classifier': (KNeighborsClassifier, {'n_neighbors': N_NEIGHBORS}, True),
    'logistic_regression': (LogisticRegression, {'C': ALPHA_C}, True),
    'gaussian_nb': (GaussianNB, {}, True),
    'random_forest_classifier': (lambda: RandomForestClassifier(random_state=0), FOREST_GRID, False),
    'linear_svc': (lambda: LinearSVC(random_state=0), {'C': ALPHA_C}, True),
    'svc': (lambda: SVC(probability=True, random_state=0), {'C': ALPHA_C}, True),
}
REGRESSORS = {
    'gradient_boosting_regressor': (lambda: GradientBoostingRegressor(random_state=0), BOOST_GRID, False),
    'knn_regressor': (KNeighborsRegressor, {'n_neighbors': N_NEIGHBORS}, True),
    'linear_regression': (LinearRegression, {}, True),
    'lasso': (Lasso, {'alpha': ALPHA_C}, True),
    'ridge': (Ridge, {'alpha': ALPHA_C}, True),
    'random_forest_regressor': (lambda: RandomForestRegressor(random_state=0), FOREST_GRID, False),
    'linear_svr': (lambda: LinearSVR(random_state=0), {'C': ALPHA_C}, True),
    'svr': (SVR, {'C': ALPHA_C}, True),
}


def load(name):
    """(X, y, feature names, target name, task) exactly as the TypeScript tests build them."""
    if name == 'iris':
        df, target, task = pd.read_csv(os.path.join(DATA, 'iris.csv')), 'species', 'classification'
    elif name == 'wine':
        df, target, task = pd.read_csv(os.path.join(DATA, 'wine.csv')), 'cultivar', 'classification'
    elif name == 'boston':
        df, target, task = pd.read_csv(os.path.join(DATA, 'boston.csv')), 'MEDV', 'regression'
    elif name == 'auto-mpg':
        df, target, task = pd.read_csv(os.path.join(DATA, 'auto-mpg.csv')), 'mpg', 'regression'
        df = df.dropna().reset_index(drop=True)
    else:
        raise ValueError(name)
    features = [c for c in df.columns if c != target and pd.api.types.is_numeric_dtype(df[c])]
    X = df[features].to_numpy(dtype=np.float64)
    y = df[target].to_numpy()
    if task == 'regression':
        y = y.astype(np.float64)
    return X, y, features, target, task


DATASETS = ['iris', 'wine', 'boston', 'auto-mpg']


def plain(v):
    """JSON-safe Python value (numpy scalars and arrays become floats, ints and lists)."""
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, np.ndarray):
        return [plain(x) for x in v.tolist()]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return f if np.isfinite(f) else None
    if isinstance(v, np.str_):
        return str(v)
    return v


def write(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.tmp', 'w') as f:
        json.dump(plain(obj), f, separators=(',', ':'))
    os.replace(path + '.tmp', path)  # a half-written file never looks like a fixture


def split_fixture(name, force):
    """Split and CV folds of one dataset, shared by all its models."""
    path = os.path.join(OUT, name, '_split.json')
    X, y, features, target, task = load(name)
    idx = np.arange(len(y))
    train_idx, test_idx = train_test_split(idx, train_size=0.8, random_state=SEED)
    if os.path.exists(path) and not force:
        return X, y, features, target, task, train_idx, test_idx
    cv = StratifiedKFold(5) if task == 'classification' else KFold(5)
    folds = [{'train': tr, 'test': te} for tr, te in cv.split(X[train_idx], y[train_idx])]
    # Extra references for the splitting code: other sizes, seeds and stratification inputs.
    extra_splits = []
    for n, frac, seed in [(10, 0.8, 0), (150, 0.8, 214), (178, 0.7, 1), (1000, 0.75, 42), (7, 0.5, 123456)]:
        tr, te = train_test_split(np.arange(n), train_size=frac, random_state=seed)
        extra_splits.append({'n': n, 'train_size': frac, 'seed': seed, 'train': tr, 'test': te})
    rng = np.random.RandomState(5)
    extra_strat = []
    for labels in [rng.randint(0, 3, 37), np.array([0] * 11 + [1] * 7 + [2] * 3 + [3] * 19), rng.randint(0, 4, 120)]:
        for k in [3, 5]:
            extra_strat.append({'y': labels, 'k': k,
                                'folds': [te for _, te in StratifiedKFold(k).split(np.zeros(len(labels)), labels)]})
    write(path, {'dataset': name, 'task': task, 'features': features, 'target': target,
                 'n_rows': len(y), 'train_idx': train_idx, 'test_idx': test_idx, 'folds': folds,
                 'extra_splits': extra_splits, 'extra_stratified': extra_strat})
    return X, y, features, target, task, train_idx, test_idx


def metrics(task, y_true, y_pred, proba, classes):
    if task == 'regression':
        mse = mean_squared_error(y_true, y_pred)
        return {'mse': mse, 'rmse': float(np.sqrt(mse)), 'mae': mean_absolute_error(y_true, y_pred),
                'r2': r2_score(y_true, y_pred)}
    out = {
        'accuracy': accuracy_score(y_true, y_pred),
        'report': classification_report(y_true, y_pred, labels=classes, output_dict=True, zero_division=0),
        'confusion': confusion_matrix(y_true, y_pred, labels=classes),
        'confusion_true': confusion_matrix(y_true, y_pred, labels=classes, normalize='true'),
    }
    if proba is not None:
        roc, pr = [], []
        for k, c in enumerate(classes):
            pos = (y_true == c).astype(int)
            fpr, tpr, thr = roc_curve(pos, proba[:, k])
            p, r, t = precision_recall_curve(pos, proba[:, k])
            roc.append({'fpr': fpr, 'tpr': tpr, 'thresholds': thr, 'auc': auc(fpr, tpr)})
            pr.append({'precision': p, 'recall': r, 'thresholds': t,
                       'average_precision': average_precision_score(pos, proba[:, k])})
        out['roc'] = roc
        out['pr'] = pr
        if len(set(y_true)) == len(classes):
            out['roc_auc_ovr_macro'] = roc_auc_score(y_true, proba, multi_class='ovr', labels=classes)
    return out


def fixture_path(out, name, model_id, force):
    """The fixture's path, or None when it exists and is kept (no --force)."""
    path = os.path.join(out, name, model_id + '.json')
    if os.path.exists(path) and not force:
        print(f'{path}: kept (use --force to rewrite)')
        return None
    return path


def model_fixture(name, model_id, spec, data, force):
    path = fixture_path(OUT, name, model_id, force)
    if path is None:
        return
    X, y, features, target, task, train_idx, test_idx = data
    factory, grid, deterministic = spec
    pipe = Pipeline([('scaler', StandardScaler()), ('model', factory())])
    param_grid = {'model__' + k: v for k, v in grid.items()}
    search = GridSearchCV(pipe, param_grid, cv=5, n_jobs=-1)
    Xtr, Xte, ytr, yte = X[train_idx], X[test_idx], y[train_idx], y[test_idx]
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConvergenceWarning)
        search.fit(Xtr, ytr)
    seconds = time.perf_counter() - start
    res = search.cv_results_
    strip = lambda p: {k[len('model__'):]: v for k, v in p.items()}
    candidates = [{'params': strip(p), 'mean_test_score': m, 'std_test_score': s, 'rank': r,
                   'split_scores': [res[f'split{i}_test_score'][j] for i in range(5)]}
                  for j, (p, m, s, r) in enumerate(zip(res['params'], res['mean_test_score'],
                                                       res['std_test_score'], res['rank_test_score']))]
    best = search.best_estimator_
    out = {
        'dataset': name, 'model': model_id, 'task': task, 'deterministic': deterministic,
        'sklearn_seconds': seconds, 'candidates': candidates,
        'best_params': strip(search.best_params_), 'best_score': search.best_score_,
        'train_score': best.score(Xtr, ytr), 'test_score': best.score(Xte, yte),
    }
    pred = best.predict(Xte)
    proba = best.predict_proba(Xte) if hasattr(best, 'predict_proba') else None
    if task == 'classification':
        classes = sorted(set(y))
        out['classes'] = classes
        out['y_test'] = [classes.index(v) for v in yte]
        out['test_pred'] = [classes.index(v) for v in pred]
        if proba is not None:
            out['test_proba'] = proba
    else:
        classes = None
        out['y_test'] = yte
        out['test_pred'] = pred
    out['metrics'] = metrics(task, yte, pred, proba, classes)
    write(path, out)
    print(f'{path}: best {out["best_params"]} cv {out["best_score"]:.4f} test {out["test_score"]:.4f} ({seconds:.1f} s)')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--force', action='store_true', help='rewrite existing fixture files')
    ap.add_argument('--dataset', action='append', choices=DATASETS)
    ap.add_argument('--model', action='append', choices=sorted({**CLASSIFIERS, **REGRESSORS}))
    args = ap.parse_args()
    for name in args.dataset or DATASETS:
        data = split_fixture(name, args.force)
        models = CLASSIFIERS if data[4] == 'classification' else REGRESSORS
        for model_id, spec in models.items():
            if args.model is None or model_id in args.model:
                model_fixture(name, model_id, spec, data, args.force)


if __name__ == '__main__':
    main()
