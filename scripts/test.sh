#!/usr/bin/env bash
# Set everything up, check the code (ruff, mypy), then run the whole test suite (unit tests, and the few
# that start a kernel or TeX).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> ruff check"
.venv/bin/ruff check
echo "==> mypy"
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
