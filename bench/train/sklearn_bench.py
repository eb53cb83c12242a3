#!/usr/bin/python3
"""The scikit-learn side of `pnpm bench:train`: the seed workload (the same definitions as
services/ml/scripts/make_fixtures.py) timed per dataset and model with GridSearchCV(n_jobs=-1).
Prints one JSON object per line: dataset, model, seconds, test_score, best_params."""
import json
import os
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'services', 'ml', 'scripts'))
import make_fixtures as mf  # noqa: E402
import mixed_fixtures as mx  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

FULL_BOOST = {'learning_rate': mf.LEARNING_RATE, 'n_estimators': mf.N_ESTIMATORS, 'max_depth': mf.MAX_DEPTH}


def main():
    full = '--full' in sys.argv
    only = [a.split('=', 1)[1] for a in sys.argv if a.startswith('--model=')]
    for name in mf.DATASETS:
        X, y, _, _, task = mf.load(name)
        idx = list(range(len(y)))
        tr, te = train_test_split(idx, train_size=0.8, random_state=mf.SEED)
        models = mf.CLASSIFIERS if task == 'classification' else mf.REGRESSORS
        for model_id, (factory, grid, _) in models.items():
            if only and model_id not in only:
                continue
            if full and model_id.startswith('gradient_boosting'):
                grid = FULL_BOOST
            pipe = Pipeline([('scaler', StandardScaler()), ('model', factory())])
            search = GridSearchCV(pipe, {'model__' + k: v for k, v in grid.items()}, cv=5, n_jobs=-1)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                search.fit(X[tr], y[tr])
                test = search.best_estimator_.score(X[te], y[te])
            seconds = time.perf_counter() - start
            best = {k[len('model__'):]: mf.plain(v) for k, v in search.best_params_.items()}
            print(json.dumps({'dataset': name, 'model': model_id, 'seconds': seconds, 'test_score': test, 'best_params': best}), flush=True)
    if '--no-mixed' in sys.argv:
        return
    # mixed tables: ColumnTransformer + model, as services/ml/scripts/mixed_fixtures.py builds them
    for name in mx.DATASETS:
        X, y, num, cat, task = mx.load(name)
        tr, te = train_test_split(list(range(len(y))), train_size=0.8, random_state=mf.SEED)
        models = mf.CLASSIFIERS if task == 'classification' else mf.REGRESSORS
        for model_id, (factory, grid, _) in models.items():
            if only and model_id not in only:
                continue
            if full and model_id.startswith('gradient_boosting'):
                grid = FULL_BOOST
            pipe = Pipeline([('pre', mx.column_transformer(num, cat)), ('model', factory())])
            search = GridSearchCV(pipe, {'model__' + k: v for k, v in grid.items()}, cv=5, n_jobs=-1)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                search.fit(X.iloc[tr], y[tr])
                test = search.best_estimator_.score(X.iloc[te], y[te])
            seconds = time.perf_counter() - start
            best = {k[len('model__'):]: mf.plain(v) for k, v in search.best_params_.items()}
            print(json.dumps({'dataset': f'{name}*', 'model': model_id, 'seconds': seconds, 'test_score': test, 'best_params': best}), flush=True)


if __name__ == '__main__':
    main()
