"""The shipped toy datasets as pandas frames, for the scripts that write reference fixtures
(services/data/scripts/describe_fixtures.py, services/ml/scripts/eda_fixtures.py)."""
import json
import os

import pandas as pd

DATASETS = os.path.dirname(os.path.abspath(__file__))


def toy_frames():
    """Yields (name, description from toy-datasets.json, frame with the catalog's column names)."""
    with open(os.path.join(DATASETS, 'toy-datasets.json')) as f:
        toys = json.load(f)
    for name, toy in toys.items():
        df = pd.read_csv(os.path.join(DATASETS, toy['file']))
        df.columns = [c['name'] for c in toy['columns']]
        yield name, toy, df


def numeric(columns):
    """The columns (from a toy's description) the database stores as numbers."""
    return [c for c in columns if c['type'] in ('integer', 'decimal', 'boolean')]


def write_fixture(path, out):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(out, f, indent=1)
    print(f'{path}: {len(out)} datasets')
