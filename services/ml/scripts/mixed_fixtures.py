#!/usr/bin/python3
"""scikit-learn references for mixed tables (numbers with missing values, text columns).

Run with Debian's /usr/bin/python3 (python3-sklearn 1.2.1, python3-pandas) as part of
`pnpm fixtures`. Writes services/ml/test/fixtures/mixed/<dataset>/:
  _preprocessing.json  every preprocessing step's output on the test rows (fitted on the train rows)
  <model>.json         ColumnTransformer + model, GridSearchCV(cv=5) on the 80 % split, test score
Data: penguins (db/datasets/penguins.csv;
target species) and Auto MPG with its text `origin` and missing `horsepower` kept (target mpg, `name`
dropped). Existing files are kept unless --force.
Usage: mixed_fixtures.py [--force] [--dataset NAME ...] [--model ID ...]
"""
import argparse
import json
import os
import time
import warnings

# joblib's worker processes do not see warnings.catch_warnings; LinearSVC's ConvergenceWarning
# (a UserWarning) would flood the log from them
os.environ.setdefault('PYTHONWARNINGS', 'ignore::UserWarning')

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from make_fixtures import CLASSIFIERS, REGRESSORS, ROOT, SEED, fixture_path, plain, write

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'mixed'))
PENGUINS = os.path.join(ROOT, 'db', 'datasets', 'penguins.csv')
DATASETS = ['penguins', 'auto-mpg']
FILL = 'missing_value'


def load(name):
    """(features DataFrame, target array, numeric columns, text columns, task), as test/support/mixed-csv.ts reads them."""
    if name == 'penguins':
        df, target, task, drop = pd.read_csv(PENGUINS, float_precision='round_trip'), 'species', 'classification', []
    elif name == 'auto-mpg':
        df = pd.read_csv(os.path.join(ROOT, 'db', 'datasets', 'auto-mpg.csv'), float_precision='round_trip')
        target, task, drop = 'mpg', 'regression', ['name']
    else:
        raise ValueError(name)
    X = df.drop(columns=[target, *drop])
    num = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    cat = [c for c in X.columns if c not in num]
    X[num] = X[num].astype(np.float64)
    y = df[target].to_numpy()
    return X, (y.astype(np.float64) if task == 'regression' else y), num, cat, task


def strings(a):
    """Object array of strings as JSON: missing (None/NaN) becomes null."""
    return [None if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v) for v in np.asarray(a, dtype=object).ravel()]


def column_transformer(num, cat, strategy='mean', fill_value=None, add_indicator=False, cat_strategy='constant',
                       encoding='onehot', min_frequency=None, max_categories=None):
    encoder = (OneHotEncoder(handle_unknown='infrequent_if_exist', sparse_output=False,
                             min_frequency=min_frequency, max_categories=max_categories)
               if encoding == 'onehot' else OrdinalEncoder(handle_unknown='use_encoded_value', unknown_value=-1))
    return ColumnTransformer([
        ('num', Pipeline([('imputer', SimpleImputer(strategy=strategy, fill_value=fill_value, add_indicator=add_indicator)),
                          ('scaler', StandardScaler())]), num),
        ('cat', Pipeline([('imputer', SimpleImputer(strategy=cat_strategy, fill_value=FILL)), ('encoder', encoder)]), cat),
    ])


def extra_rows(name):
    """Rows with missing values everywhere and text never seen in training."""
    if name == 'penguins':
        return [
            {'island': 'Atlantis', 'bill_length_mm': 41.0, 'bill_depth_mm': None, 'flipper_length_mm': 200.0,
             'body_mass_g': None, 'sex': None, 'year': 2008.0},
            {'island': None, 'bill_length_mm': None, 'bill_depth_mm': None, 'flipper_length_mm': None,
             'body_mass_g': None, 'sex': 'unknown', 'year': None},
            {'island': 'Dream', 'bill_length_mm': 50.0, 'bill_depth_mm': 15.0, 'flipper_length_mm': 220.0,
             'body_mass_g': 5000.0, 'sex': 'female', 'year': 2009.0},
        ]
    return [
        {'cylinders': 4.0, 'displacement': 100.0, 'horsepower': None, 'weight': 2200.0, 'acceleration': 16.0,
         'model_year': 80.0, 'origin': 'Mars'},
        {'cylinders': None, 'displacement': None, 'horsepower': None, 'weight': None, 'acceleration': None,
         'model_year': None, 'origin': None},
    ]


def frame(records, X):
    df = pd.DataFrame(records, columns=list(X.columns))
    for c in X.columns:
        # missing text as NaN, as read_csv gives it (SimpleImputer(missing_values=nan) does not see None)
        df[c] = df[c].astype(np.float64) if pd.api.types.is_numeric_dtype(X[c]) else df[c].astype(object).where(df[c].notna(), np.nan)
    return df


def preprocessing_fixture(name, X, num, cat, train_idx, test_idx, force):
    path = os.path.join(OUT, name, '_preprocessing.json')
    if os.path.exists(path) and not force:
        print(f'{path}: kept (use --force to rewrite)')
        return
    out = {'dataset': name, 'numeric': num, 'categorical': cat, 'train_idx': train_idx, 'test_idx': test_idx}

    # Numeric SimpleImputer on the numeric columns plus an all-missing column and a column missing
    # only in some test rows (a copy of the first numeric column that has no missing value).
    only_test = test_idx[::4]
    source = next(c for c in num if X[c].notna().all())
    N = X[num].to_numpy(dtype=np.float64).copy()
    all_missing = np.full((len(N), 1), np.nan)
    test_only = X[[source]].to_numpy(dtype=np.float64).copy()
    test_only[only_test] = np.nan
    N = np.hstack([N, all_missing, test_only])
    out['numeric_extra'] = {'all_missing_column': len(num), 'test_only_column': len(num) + 1,
                            'test_only_source': source, 'test_only_rows': only_test}
    imputers = []
    for strategy in ['mean', 'median', 'most_frequent', 'constant']:
        for fill in ([None, -1.5] if strategy == 'constant' else [None]):
            for add_indicator in [False, True]:
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')  # sklearn warns that the all-missing column is dropped
                    imp = SimpleImputer(strategy=strategy, fill_value=fill, add_indicator=add_indicator).fit(N[train_idx])
                    Z = imp.transform(N[test_idx])
                imputers.append({'strategy': strategy, 'fill_value': 0 if fill is None else fill, 'add_indicator': add_indicator,
                                 'statistics': imp.statistics_, 'output': Z})
    out['simple_imputer'] = imputers

    # Text columns: SimpleImputer on strings, then the encoders on the imputed strings.
    C = X[cat].astype(object).to_numpy()
    C_all_missing = np.hstack([C, np.full((len(C), 1), np.nan, dtype=object)])
    string_imputers = []
    for strategy in ['most_frequent', 'constant']:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            imp = SimpleImputer(strategy=strategy, fill_value=FILL, missing_values=np.nan).fit(C_all_missing[train_idx])
            Z = imp.transform(C_all_missing[test_idx])
        string_imputers.append({'strategy': strategy, 'statistics': strings(imp.statistics_),
                                'output': [strings(Z[:, j]) for j in range(Z.shape[1])]})
    out['string_imputer'] = {'all_missing_column': len(cat), 'cases': string_imputers}

    filled = SimpleImputer(strategy='constant', fill_value=FILL).fit_transform(C)
    unseen = {c: f'never_seen_{c}' for c in cat}
    extra = np.array([[unseen[c] for c in cat]], dtype=object)
    # fit on all train rows, and on the train rows whose first text column is not its most common value
    # (so that value is unseen when transforming the test rows)
    first = pd.Series(filled[train_idx, 0]).value_counts().index[0]
    subset = np.array([i for i in train_idx if filled[i, 0] != first])
    fits = {'train': train_idx, 'subset': subset}
    out['subset'] = {'column': cat[0], 'without': first, 'rows': subset}
    out['unseen_row'] = strings(extra[0])
    encoders = []
    settings = [{}, {'min_frequency': 10}, {'min_frequency': 0.2}, {'max_categories': 2}, {'min_frequency': 5, 'max_categories': 3}]
    for fit_rows in fits:
        transform = np.vstack([filled[test_idx], extra])
        for s in settings:
            enc = OneHotEncoder(handle_unknown='infrequent_if_exist', sparse_output=False, **s).fit(filled[fits[fit_rows]])
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')  # unknown categories warn
                Z = enc.transform(transform)
            encoders.append({'fit': fit_rows, 'params': s, 'categories': [list(c) for c in enc.categories_],
                             'infrequent': ([None if c is None else list(c) for c in enc.infrequent_categories_]
                                            if enc._infrequent_enabled else [None] * len(cat)),
                             'feature_names': list(enc.get_feature_names_out(cat)), 'output': Z})
        enc = OrdinalEncoder(handle_unknown='use_encoded_value', unknown_value=-1).fit(filled[fits[fit_rows]])
        encoders.append({'fit': fit_rows, 'ordinal': True, 'categories': [list(c) for c in enc.categories_],
                         'output': enc.transform(transform)})
    out['encoders'] = encoders

    # The whole ColumnTransformer on the test rows and on rows with missing and unseen values.
    records = extra_rows(name)
    out['extra_rows'] = records
    Xt = pd.concat([X.iloc[test_idx], frame(records, X)], ignore_index=True)
    cts = []
    for s in [{'strategy': 'mean'}, {'strategy': 'median'}, {'strategy': 'most_frequent'}, {'strategy': 'constant', 'fill_value': -1.0},
              {'strategy': 'mean', 'add_indicator': True}, {'strategy': 'mean', 'min_frequency': 0.1},
              {'strategy': 'median', 'max_categories': 2}, {'strategy': 'mean', 'cat_strategy': 'most_frequent'},
              {'strategy': 'mean', 'encoding': 'ordinal'}]:
        for fit_rows in fits:
            ct = column_transformer(num, cat, **s).fit(X.iloc[fits[fit_rows]])
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                Z = ct.transform(Xt)
            cts.append({'fit': fit_rows, 'params': s, 'feature_names': list(ct.get_feature_names_out()), 'output': Z})
    out['column_transformer'] = cts
    write(path, out)
    print(f'{path}: written')


def model_fixture(name, model_id, spec, data, force):
    path = fixture_path(OUT, name, model_id, force)
    if path is None:
        return
    X, y, num, cat, task, train_idx, test_idx = data
    factory, grid, deterministic = spec
    pipe = Pipeline([('pre', column_transformer(num, cat)), ('model', factory())])
    search = GridSearchCV(pipe, {'model__' + k: v for k, v in grid.items()}, cv=5, n_jobs=-1)
    Xtr, Xte, ytr, yte = X.iloc[train_idx], X.iloc[test_idx], y[train_idx], y[test_idx]
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConvergenceWarning)
        search.fit(Xtr, ytr)
    seconds = time.perf_counter() - start
    res = search.cv_results_
    strip = lambda p: {k[len('model__'):]: v for k, v in p.items()}
    best = search.best_estimator_
    out = {
        'dataset': name, 'model': model_id, 'task': task, 'deterministic': deterministic, 'sklearn_seconds': seconds,
        'candidates': [{'params': strip(p), 'mean_test_score': m, 'rank': r}
                       for p, m, r in zip(res['params'], res['mean_test_score'], res['rank_test_score'])],
        'best_params': strip(search.best_params_), 'best_score': search.best_score_,
        'test_score': best.score(Xte, yte), 'feature_names': list(best[0].get_feature_names_out()),
    }
    write(path, out)
    print(f'{path}: best {out["best_params"]} cv {out["best_score"]:.4f} test {out["test_score"]:.4f} ({seconds:.1f} s)')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--force', action='store_true', help='rewrite existing fixture files')
    ap.add_argument('--dataset', action='append', help=f'one of {DATASETS}; names of other scripts are skipped')
    ap.add_argument('--model', action='append', choices=sorted({**CLASSIFIERS, **REGRESSORS}))
    args, _ = ap.parse_known_args()  # fixtures.sh passes make_fixtures.py's options to both scripts
    for name in [d for d in DATASETS if args.dataset is None or d in args.dataset]:
        X, y, num, cat, task = load(name)
        train_idx, test_idx = train_test_split(np.arange(len(y)), train_size=0.8, random_state=SEED)
        preprocessing_fixture(name, X, num, cat, train_idx, test_idx, args.force)
        models = CLASSIFIERS if task == 'classification' else REGRESSORS
        for model_id, spec in models.items():
            if args.model is None or model_id in args.model:
                model_fixture(name, model_id, spec, (X, y, num, cat, task, train_idx, test_idx), args.force)


if __name__ == '__main__':
    main()
