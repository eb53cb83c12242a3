#!/usr/bin/python3
"""scikit-learn 1.2's HistGradientBoosting* as the reference for services/ml's histogram boosting.

Run with Debian's /usr/bin/python3 (python3-sklearn 1.2) as part of `pnpm fixtures`. Writes
services/ml/test/fixtures/hgb/<case>.json, each with the data itself (X with null for missing,
y, train and test rows), so the TypeScript test reads exactly what scikit-learn fitted:
  iris, wine, boston, auto-mpg   the toy datasets (80/20 split, seed 214), default parameters
  penguins-missing               penguins' numeric columns with their missing values, island and
                                 sex as ordinal codes (missing sex stays missing): native NaN splits
  auto-mpg-missing               Auto MPG with its missing horsepower kept (regression)
  early-classification           make_classification 15,000 × 20 with 5 % of the values missing:
                                 early stopping ('auto' turns it on above 10,000 rows)
  early-regression               make_regression 15,000 × 20, noise 10: early stopping
  penguins-categorical           penguins with island and sex as native categories
                                 (categorical_features; missing sex stays missing)
  categorical-classification     a synthetic table of 15,000 rows: a 200-level category, a 6-level
                                 one with 8 % missing, four numbers; binary, early stopping
  categorical-regression         the same table's shape at 4,000 rows, a regression target
  pipeline-penguins              penguins as a mixed table through scikit-learn's ColumnTransformer
                                 (numbers: mean imputation + scaling; text: constant 'missing_value'
                                 + OrdinalEncoder, unseen as −1) and HistGradientBoostingClassifier
                                 with the text columns as categorical_features
  pipeline-synthetic             the synthetic categorical table as text columns (a 200-level one:
                                 rare levels of the test rows are unseen in fit), same pipeline
Pipeline cases hold the raw columns (`columns`: name, kind, values with null for missing), the test
score, n_iter and the test rows' decision_function.
Categorical cases also hold `probe_X`: rows with categories never seen in fit (unseen codes,
negative codes) and missing ones, with scikit-learn's raw scores for them (`probe_raw`).
Each holds the fitted bin thresholds (_bin_mapper.bin_thresholds_), n_iter_, the test score
(accuracy or R²) and the test predictions. Existing files are kept unless --force.
Usage: hgb_fixtures.py [--force] [--case NAME ...]
"""
import argparse
import os

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder, StandardScaler

from make_fixtures import DATASETS, ROOT, SEED, fixture_path, load, write

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'hgb'))


def cases():
    for name in DATASETS:
        X, y, _features, _target, task = load(name)
        yield name, np.asarray(X, dtype=np.float64), np.asarray(y), task, {}
    df = pd.read_csv(os.path.join(ROOT, 'db', 'datasets', 'penguins.csv'))
    X = df.drop(columns=['species'])
    for c in ['island', 'sex']:
        codes, _ = pd.factorize(X[c], sort=True)
        X[c] = np.where(codes < 0, np.nan, codes).astype(np.float64)
    yield 'penguins-missing', X.to_numpy(dtype=np.float64), df['species'].to_numpy(), 'classification', {}
    df = pd.read_csv(os.path.join(ROOT, 'db', 'datasets', 'auto-mpg.csv'))
    X = df.drop(columns=['mpg', 'name'])
    X['origin'] = pd.factorize(X['origin'], sort=True)[0].astype(np.float64)
    yield 'auto-mpg-missing', X.to_numpy(dtype=np.float64), df['mpg'].to_numpy(dtype=np.float64), 'regression', {}
    X, y = make_classification(n_samples=15000, n_features=20, n_informative=10, random_state=SEED)
    rng = np.random.RandomState(SEED)
    X[rng.rand(*X.shape) < 0.05] = np.nan
    yield 'early-classification', X, y.astype(str), 'classification', {'max_iter': 500}
    X, y = make_regression(n_samples=15000, n_features=20, n_informative=10, noise=10.0, random_state=SEED)
    yield 'early-regression', X, y, 'regression', {'max_iter': 500}
    df = pd.read_csv(os.path.join(ROOT, 'db', 'datasets', 'penguins.csv'))
    X = df.drop(columns=['species'])
    for c in ['island', 'sex']:
        codes, _ = pd.factorize(X[c], sort=True)
        X[c] = np.where(codes < 0, np.nan, codes).astype(np.float64)
    yield 'penguins-categorical', X.to_numpy(dtype=np.float64), df['species'].to_numpy(), 'classification', {
        'categorical_features': [0, 5]}
    for name, n, task in [('categorical-classification', 15000, 'classification'),
                          ('categorical-regression', 4000, 'regression')]:
        X, y = synthetic_categorical(n, task)
        yield name, X, y, task, {'categorical_features': [0, 1], 'max_iter': 300}


def synthetic_categorical(n, task):
    """A 200-level category (effects drawn per level, levels Zipf-ish in frequency), a 6-level one
    with 8 % missing, four Gaussian numbers; the target mixes all of them."""
    rng = np.random.RandomState(SEED)
    weights = 1.0 / np.arange(1, 201) ** 0.7
    high = rng.choice(200, size=n, p=weights / weights.sum())
    low = rng.randint(0, 6, size=n).astype(np.float64)
    nums = rng.randn(n, 4)
    effect_high = rng.randn(200)
    effect_low = np.array([0.0, 1.0, -1.0, 0.5, 0.0, -0.5])
    score = effect_high[high] + effect_low[low.astype(int)] + nums[:, 0] - 0.5 * nums[:, 1] * nums[:, 2]
    low[rng.rand(n) < 0.08] = np.nan
    score = score + np.where(np.isnan(low), 0.8, 0.0) + 0.5 * rng.randn(n)
    X = np.column_stack([high.astype(np.float64), low, nums])
    if task == 'classification':
        return X, np.where(score > np.median(score), 'yes', 'no')
    return X, score


def probe_rows(X, categorical):
    """Test-like rows whose categorical values are unseen (one past the largest code, 254), negative
    or missing, one feature at a time."""
    base = np.nanmedian(X, axis=0)
    out = []
    for f in categorical:
        top = np.nanmax(X[:, f])
        for v in [top + 1, 254.0, -1.0, np.nan]:
            row = base.copy()
            row[f] = v
            out.append(row)
    return np.array(out)


def pipeline_cases():
    df = pd.read_csv(os.path.join(ROOT, 'db', 'datasets', 'penguins.csv'))
    yield 'pipeline-penguins', df.drop(columns=['species']), df['species'].astype(str).to_numpy()
    X, y = synthetic_categorical(15000, 'classification')
    rng = np.random.RandomState(SEED + 1)
    nums = X[:, 2:].copy()
    nums[rng.rand(*nums.shape) < 0.03] = np.nan
    frame = pd.DataFrame(nums, columns=['a', 'b', 'c', 'd'])
    frame.insert(0, 'shop', ['s%03d' % v for v in X[:, 0].astype(int)])
    frame.insert(1, 'tier', [None if np.isnan(v) else 'tier-' + 'abcdef'[int(v)] for v in X[:, 1]])
    yield 'pipeline-synthetic', frame, y


def pipeline_main(args):
    for name, frame, y in pipeline_cases():
        if args.case and name not in args.case:
            continue
        path = fixture_path(OUT, name, 'hist_gradient_boosting', args.force)
        if path is None:
            continue
        text = [c for c in frame.columns if frame[c].dtype == object]
        numbers = [c for c in frame.columns if c not in text]
        pre = ColumnTransformer([
            ('num', Pipeline([('impute', SimpleImputer(strategy='mean')), ('scale', StandardScaler())]), numbers),
            ('cat', Pipeline([('impute', SimpleImputer(strategy='constant', fill_value='missing_value')),
                              ('code', OrdinalEncoder(handle_unknown='use_encoded_value', unknown_value=-1))]), text),
        ])
        cat_idx = list(range(len(numbers), len(numbers) + len(text)))
        model = Pipeline([('pre', pre), ('hgb', HistGradientBoostingClassifier(
            random_state=SEED, categorical_features=cat_idx))])
        train_idx, test_idx = train_test_split(np.arange(len(y)), train_size=0.8, random_state=SEED)
        model.fit(frame.iloc[train_idx], y[train_idx])
        test = frame.iloc[test_idx]
        out = {
            'case': name, 'task': 'classification',
            'columns': [{'name': c, 'kind': 'categorical' if c in text else 'numeric',
                         'values': [None if (v is None or (isinstance(v, float) and np.isnan(v))) else v
                                    for v in frame[c].tolist()]} for c in frame.columns],
            'y': [str(v) for v in y], 'train_idx': train_idx, 'test_idx': test_idx,
            'classes': [str(c) for c in model.classes_],
            'n_iter': model[-1].n_iter_,
            'do_early_stopping': bool(model[-1].do_early_stopping_),
            'test_score': model.score(test, y[test_idx]),
            'test_raw': np.asarray(model.decision_function(test)).reshape(len(test_idx), -1),
        }
        write(path, out)
        print(f'{path}: n_iter {model[-1].n_iter_}, test score {out["test_score"]:.4f}')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--force', action='store_true')
    ap.add_argument('--case', action='append', help='only these cases')
    args, _ = ap.parse_known_args()
    for name, X, y, task, params in cases():
        if args.case and name not in args.case:
            continue
        path = fixture_path(OUT, name, 'hist_gradient_boosting', args.force)
        if path is None:
            continue
        train_idx, test_idx = train_test_split(np.arange(len(y)), train_size=0.8, random_state=SEED)
        Model = HistGradientBoostingClassifier if task == 'classification' else HistGradientBoostingRegressor
        model = Model(random_state=SEED, **params).fit(X[train_idx], y[train_idx])
        out = {
            'case': name, 'task': task, 'params': params,
            'X': [[None if np.isnan(v) else float(v) for v in row] for row in X],
            'y': [str(v) for v in y] if task == 'classification' else y,
            'train_idx': train_idx, 'test_idx': test_idx,
            'bin_thresholds': [list(t) for t in model._bin_mapper.bin_thresholds_],
            'n_iter': model.n_iter_,
            'do_early_stopping': bool(model.do_early_stopping_),
            'test_score': model.score(X[test_idx], y[test_idx]),
            'test_pred': [str(v) for v in model.predict(X[test_idx])] if task == 'classification' else model.predict(X[test_idx]),
        }
        if task == 'classification':
            out['classes'] = [str(c) for c in model.classes_]
            out['test_proba'] = model.predict_proba(X[test_idx])
        if 'categorical_features' in params:
            probe = probe_rows(X, params['categorical_features'])
            out['probe_X'] = [[None if np.isnan(v) else float(v) for v in row] for row in probe]
            raw = model.decision_function(probe) if task == 'classification' else model.predict(probe)
            out['probe_raw'] = np.asarray(raw).reshape(len(probe), -1)
        write(path, out)
        print(f'{path}: n_iter {model.n_iter_}, test score {out["test_score"]:.4f}')
    pipeline_main(args)


if __name__ == '__main__':
    main()
