#!/usr/bin/python3
"""Writes services/data/test/fixtures/describe.json: pandas describe() of every numeric column and
the class counts of the target, for each toy dataset, as the reference the SQL statistics must match.
Run with Debian's /usr/bin/python3 (python3-pandas)."""
import json
import os

import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
DATASETS = os.path.join(ROOT, 'db', 'datasets')
OUT = os.path.join(os.path.dirname(HERE), 'test', 'fixtures', 'describe.json')


def main():
    toys = json.load(open(os.path.join(DATASETS, 'toy-datasets.json')))
    out = {}
    for name, toy in toys.items():
        df = pd.read_csv(os.path.join(DATASETS, toy['file']))
        df.columns = [c['name'] for c in toy['columns']]
        numeric = [c['name'] for c in toy['columns'] if c['type'] in ('integer', 'decimal', 'boolean')]
        d = df[numeric].describe()
        cols = {}
        for c in numeric:
            s = d[c]
            cols[c] = {k: (None if pd.isna(s[k]) else float(s[k])) for k in ['count', 'mean', 'std', 'min', '25%', '50%', '75%', 'max']}
            cols[c]['missing'] = int(df[c].isna().sum())
        classes = None
        if toy['task'] == 'classification':
            vc = df[toy['target']].value_counts()
            classes = {str(k): int(v) for k, v in vc.items()}
        out[name] = {'rows': int(len(df)), 'numeric': cols, 'classes': classes}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(out, f, indent=1)
    print(f'{OUT}: {len(out)} datasets')


if __name__ == '__main__':
    main()
