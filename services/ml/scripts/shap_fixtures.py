#!/usr/bin/python3
"""XGBoost's own TreeSHAP (pred_contribs=True) as the reference for services/ml's TreeSHAP.

Run with Debian's /usr/bin/python3 (python3-xgboost 1.7) as part of `pnpm fixtures`. Writes
services/ml/test/fixtures/shap/<name>.json for three small boosted models:
  boston   reg:squarederror on all 13 columns (target MEDV)
  iris     multi:softprob, 3 classes (one tree per class per round)
  binary   binary:logistic, iris versicolor vs virginica
Each file holds the rows (as float32 values, what XGBoost reads), the trees from
get_dump(dump_format='json', with_stats=True) (with each node's cover), the margin per row and class
(predict(output_margin=True)), the contributions (n × classes × (features + 1), the last column
being XGBoost's bias) and, for the first INTERACTION_ROWS rows, the interaction values
(pred_interactions=True: rows × classes × (features + 1) × (features + 1)). Existing files are kept
unless --force (or unless they predate the interaction values). Skips with a message if xgboost is
not installed (apt-get install python3-xgboost).
Usage: shap_fixtures.py [--force]
"""
import argparse
import json
import os
import sys

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..'))
OUT = os.path.join(ROOT, 'services', 'ml', 'test', 'fixtures', 'shap')
INTERACTION_ROWS = 25


def read_csv(name, target):
    with open(os.path.join(ROOT, 'db', 'datasets', f'{name}.csv')) as f:
        header, *lines = [l.rstrip('\n').split(',') for l in f if l.strip()]
    t = header.index(target)
    features = [h for j, h in enumerate(header) if j != t]
    X = np.array([[float(v) for j, v in enumerate(r) if j != t] for r in lines], dtype=np.float32)
    return features, X, [r[t] for r in lines]


def datasets():
    features, X, y = read_csv('boston', 'MEDV')
    yield 'boston', features, X, np.array(y, dtype=np.float64), {'objective': 'reg:squarederror'}
    features, X, y = read_csv('iris', 'species')
    classes = sorted(set(y))
    codes = np.array([classes.index(v) for v in y])
    yield 'iris', features, X, codes, {'objective': 'multi:softprob', 'num_class': len(classes)}
    keep = codes > 0
    yield 'binary', features, X[keep], (codes[keep] == 2).astype(np.float64), {'objective': 'binary:logistic'}


def has_interactions(path):
    with open(path) as f:
        return 'interactions' in json.load(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--force', action='store_true')
    args, _ = ap.parse_known_args()
    try:
        import xgboost as xgb
    except ImportError:
        print('shap_fixtures: xgboost is not installed (apt-get install python3-xgboost); skipped', file=sys.stderr)
        return
    os.makedirs(OUT, exist_ok=True)
    for name, features, X, y, objective in datasets():
        path = os.path.join(OUT, f'{name}.json')
        if os.path.exists(path) and not args.force and has_interactions(path):
            continue
        params = {**objective, 'max_depth': 4, 'eta': 0.3, 'tree_method': 'exact', 'seed': 0, 'nthread': 1}
        dm = xgb.DMatrix(X, label=y)
        bst = xgb.train(params, dm, num_boost_round=15)
        trees = [json.loads(t) for t in bst.get_dump(dump_format='json', with_stats=True)]
        margin = bst.predict(dm, output_margin=True).astype(np.float64)
        contribs = bst.predict(dm, pred_contribs=True).astype(np.float64)
        n, F = X.shape
        classes = objective.get('num_class', 1)
        rows = min(n, INTERACTION_ROWS)
        interactions = bst.predict(xgb.DMatrix(X[:rows]), pred_interactions=True).astype(np.float64)
        doc = {
            'xgboost': xgb.__version__,
            'params': params,
            'features': features,
            'classes': classes,
            'X': X.astype(np.float64).tolist(),
            'trees': trees,
            'margin': margin.reshape(n, classes).tolist(),
            'contribs': contribs.reshape(n, classes, F + 1).tolist(),
            'interactions': interactions.reshape(rows, classes, F + 1, F + 1).tolist(),
        }
        with open(path, 'w') as f:
            json.dump(doc, f)
        print(f'shap_fixtures: {path} ({len(trees)} trees)')


if __name__ == '__main__':
    main()
