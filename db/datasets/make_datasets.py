#!/usr/bin/python3
"""Writes the shipped toy datasets (iris, wine, boston, auto-mpg, breast-cancer, penguins) as CSV next to this script.

Run with Debian's /usr/bin/python3 (python3-sklearn) from the repository root after `pnpm install`
(auto-mpg comes from the npm package vega-datasets@3.2.1; penguins from Debian's r-cran-palmerpenguins,
extracted without R: `apt-get download r-cran-palmerpenguins && dpkg-deb -x r-cran-palmerpenguins_*.deb
/tmp/pp`, or installed; PENGUINS names another copy of penguins.csv). Values are written exactly as the
sources hold them: floats in Python's shortest round-trip form, strings copied unchanged.
"""
import csv
import json
import os
import sys

from sklearn.datasets import load_breast_cancer, load_iris, load_wine

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BOSTON = '/usr/lib/python3/dist-packages/sklearn/datasets/data/boston_house_prices.csv'
CARS = os.path.join(ROOT, 'node_modules', 'vega-datasets', 'data', 'cars.json')
PENGUINS_PATH = 'usr/lib/R/site-library/palmerpenguins/extdata/penguins.csv'
PENGUINS = os.environ.get('PENGUINS') or next(
    (p for p in ('/' + PENGUINS_PATH, '/tmp/pp/' + PENGUINS_PATH) if os.path.exists(p)), '/' + PENGUINS_PATH)


def cell(v):
    if v is None:
        return ''
    if isinstance(v, float):
        return repr(v)
    return str(v)


def write(name, header, rows):
    path = os.path.join(HERE, name)
    with open(path, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(header)
        for r in rows:
            w.writerow([cell(v) for v in r])
    print(f'{path}: {len(rows)} rows')


def iris():
    d = load_iris()
    header = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species']
    rows = [[float(x) for x in xs] + [d.target_names[t]] for xs, t in zip(d.data, d.target)]
    write('iris.csv', header, rows)


def wine():
    d = load_wine()
    header = list(d.feature_names) + ['cultivar']
    rows = [[float(x) for x in xs] + [d.target_names[t]] for xs, t in zip(d.data, d.target)]
    write('wine.csv', header, rows)


def boston():
    with open(BOSTON, newline='') as f:
        lines = list(csv.reader(f))
    header, body = lines[1], lines[2:]  # line 0 is "506,13": the count, not data
    rows = [r for r in body if r]
    write('boston.csv', header, rows)


def breast_cancer():
    # scikit-learn's coding, kept so predict_proba[:, 1] means benign as in the tutorials
    d = load_breast_cancer()
    header = list(d.feature_names) + ['diagnosis']
    rows = [[float(x) for x in xs] + [int(t)] for xs, t in zip(d.data, d.target)]
    write('breast-cancer.csv', header, rows)


def auto_mpg():
    with open(CARS) as f:
        cars = json.load(f)
    header = ['name', 'mpg', 'cylinders', 'displacement', 'horsepower', 'weight', 'acceleration',
              'model_year', 'origin']
    rows = []
    for c in cars:
        if c.get('Miles_per_Gallon') is None:
            continue  # the 8 cars without mpg are not in UCI's 398-car set
        year = int(c['Year'][:4]) - 1900  # "1970-01-01" -> 70, as UCI codes it
        rows.append([c['Name'], c['Miles_per_Gallon'], c['Cylinders'], c['Displacement'],
                     c.get('Horsepower'), c['Weight_in_lbs'], c['Acceleration'], year, c['Origin']])
    write('auto-mpg.csv', header, rows)


def penguins():
    # R writes a missing value as NA; the other toys (and our loader) write it as an empty cell.
    # Numbers are copied as R wrote them (e.g. "18" for 18.0), so nothing is rounded or reformatted.
    with open(PENGUINS, newline='') as f:
        lines = list(csv.reader(f))
    header, body = lines[0], lines[1:]
    rows = [[None if v == 'NA' else v for v in r] for r in body if r]
    write('penguins.csv', header, rows)


if __name__ == '__main__':
    if not os.path.exists(CARS):
        sys.exit(f'{CARS} is missing: run `pnpm install` at the repository root first')
    if not os.path.exists(PENGUINS):
        sys.exit(f'{PENGUINS} is missing: apt-get download r-cran-palmerpenguins and extract it into /tmp/pp (see above)')
    iris()
    wine()
    boston()
    auto_mpg()
    breast_cancer()
    penguins()
