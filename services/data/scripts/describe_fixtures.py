#!/usr/bin/python3
"""Writes services/data/test/fixtures/describe.json: pandas describe() of every numeric column and
the class counts of the target, for each toy dataset, as the reference the SQL statistics must match.
Run with Debian's /usr/bin/python3 (python3-pandas)."""
import os
import sys

import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, 'db', 'datasets'))
from toys import numeric, toy_frames, write_fixture  # noqa: E402
OUT = os.path.join(os.path.dirname(HERE), 'test', 'fixtures', 'describe.json')


def main():
    out = {}
    for name, toy, df in toy_frames():
        numeric_names = [c['name'] for c in numeric(toy['columns'])]
        d = df[numeric_names].describe()
        cols = {}
        for c in numeric_names:
            s = d[c]
            cols[c] = {k: (None if pd.isna(s[k]) else float(s[k])) for k in ['count', 'mean', 'std', 'min', '25%', '50%', '75%', 'max']}
            cols[c]['missing'] = int(df[c].isna().sum())
        classes = None
        if toy['task'] == 'classification':
            vc = df[toy['target']].value_counts()
            classes = {str(k): int(v) for k, v in vc.items()}
        out[name] = {'rows': int(len(df)), 'numeric': cols, 'classes': classes}
    write_fixture(OUT, out)


if __name__ == '__main__':
    main()
