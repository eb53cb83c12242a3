#!/usr/bin/env bash
# `pnpm fixtures`: writes the reference fixtures the parity tests read, with Debian's python3-sklearn
# and python3-pandas (/usr/bin/python3). Fixtures are generated, never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${REFERENCE_PYTHON:-/usr/bin/python3}
"$PY" services/data/scripts/describe_fixtures.py
"$PY" services/ml/scripts/eda_fixtures.py
if [[ -f services/ml/scripts/make_fixtures.py ]]; then "$PY" services/ml/scripts/make_fixtures.py "$@"; fi
if [[ -f services/ml/scripts/mixed_fixtures.py ]]; then "$PY" services/ml/scripts/mixed_fixtures.py "$@"; fi
if [[ -f services/ml/scripts/shap_fixtures.py ]]; then "$PY" services/ml/scripts/shap_fixtures.py "$@"; fi
if [[ -f services/ml/scripts/hgb_fixtures.py ]]; then "$PY" services/ml/scripts/hgb_fixtures.py "$@"; fi
if [[ -f services/ml/scripts/solver_fixtures.py ]]; then "$PY" services/ml/scripts/solver_fixtures.py "$@"; fi
if [[ -f services/ml/scripts/drift_fixtures.py ]]; then "$PY" services/ml/scripts/drift_fixtures.py "$@"; fi
