#!/usr/bin/python3
"""Writes services/ml/test/fixtures/eda.json: scikit-learn's mutual information (k = 3; integer
columns discrete) and PCA explained-variance ratios (standardised features) for each toy dataset,
the reference the TypeScript MI and PCA must match. Rows with a missing feature or target are
dropped; features are the numeric feature columns of db/datasets/toy-datasets.json.
For each toy with text features, 'mixed' holds the MI of the numeric and text features together:
text ordinal-coded and discrete (discrete_features), rows with any missing feature dropped.
Run with Debian's /usr/bin/python3 (python3-sklearn, python3-pandas)."""
import os
import sys

import numpy as np
from sklearn.decomposition import PCA
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression
from sklearn.preprocessing import OrdinalEncoder, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, 'db', 'datasets'))
from toys import numeric, toy_frames, write_fixture  # noqa: E402
OUT = os.path.join(os.path.dirname(HERE), 'test', 'fixtures', 'eda.json')


def main():
    out = {}
    for name, toy, raw in toy_frames():
        feats = [c for c in numeric(toy['columns']) if c['role'] == 'feature']
        names = [c['name'] for c in feats]
        df = raw.dropna(subset=names + [toy['target']])
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
        mixed = mixed_mi(toy, raw)
        if mixed:
            out[name]['mixed'] = mixed
    write_fixture(OUT, out)


def mixed_mi(toy, df):
    """MI with the text features as discrete codes (the order of codes does not change MI)."""
    feats = [c for c in toy['columns'] if c['role'] == 'feature' and c['type'] != 'date']
    if not any(c['type'] == 'text' for c in feats):
        return None
    names = [c['name'] for c in feats]
    df = df.dropna(subset=names + [toy['target']])
    X = np.column_stack([
        OrdinalEncoder().fit_transform(df[[c['name']]].astype(str))[:, 0] if c['type'] == 'text' else df[c['name']].to_numpy(dtype=float)
        for c in feats])
    discrete = np.array([c['type'] in ('integer', 'text') for c in feats])
    if toy['task'] == 'classification':
        mi = mutual_info_classif(X, df[toy['target']].to_numpy(), discrete_features=discrete, n_neighbors=3, random_state=0)
    else:
        mi = mutual_info_regression(X, df[toy['target']].to_numpy(dtype=float), discrete_features=discrete, n_neighbors=3, random_state=0)
    return {'features': names, 'discrete': discrete.tolist(), 'rows': int(len(df)), 'mi': mi.tolist()}


if __name__ == '__main__':
    main()
