#!/usr/bin/python3
"""Writes services/ml/test/fixtures/eda.json: scikit-learn's mutual information (k = 3; integer
columns discrete) and PCA explained-variance ratios (standardised features) for each toy dataset,
the reference the TypeScript MI and PCA must match. Rows with a missing feature or target are
dropped; features are the numeric feature columns of db/datasets/toy-datasets.json.
Run with Debian's /usr/bin/python3 (python3-sklearn, python3-pandas)."""
import os
import sys

import numpy as np
from sklearn.decomposition import PCA
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, 'db', 'datasets'))
from toys import numeric, toy_frames, write_fixture  # noqa: E402
OUT = os.path.join(os.path.dirname(HERE), 'test', 'fixtures', 'eda.json')


def main():
    out = {}
    for name, toy, df in toy_frames():
        feats = [c for c in numeric(toy['columns']) if c['role'] == 'feature']
        names = [c['name'] for c in feats]
        df = df.dropna(subset=names + [toy['target']])
        X = df[names].to_numpy(dtype=float)
        discrete = np.array([c['type'] == 'integer' for c in feats])
        # random_state=0: the TypeScript estimator draws the same tie-breaking noise for seed 0.
        if toy['task'] == 'classification':
            mi = mutual_info_classif(X, df[toy['target']].to_numpy(), discrete_features=discrete, n_neighbors=3, random_state=0)
        else:
            mi = mutual_info_regression(X, df[toy['target']].to_numpy(dtype=float), discrete_features=discrete, n_neighbors=3, random_state=0)
        pca = PCA().fit(StandardScaler().fit_transform(X))
        out[name] = {
            'features': names, 'discrete': discrete.tolist(), 'rows': int(len(df)),
            'mi': mi.tolist(),
            'pca_ratio': pca.explained_variance_ratio_.tolist(),
        }
    write_fixture(OUT, out)


if __name__ == '__main__':
    main()
