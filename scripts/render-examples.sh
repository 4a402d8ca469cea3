#!/usr/bin/env bash
# Set everything up, then render every bundled example (params/<year>/<agency>.yaml) to HTML and PDF
# under outputs/<year>/<agency>/. A report whose checks find errors is still rendered, with them shown.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
status=0
for params in params/*/*.yaml; do
  case "$params" in *.reviews.yaml) continue ;; esac
  year=$(basename "$(dirname "$params")")
  agency=$(basename "$params" .yaml)
  echo "==> nianbao render --agency $agency --year $year"
  .venv/bin/nianbao render --agency "$agency" --year "$year" || status=1
done
echo "Reports are in outputs/: open outputs/<year>/<agency>/<agency>-<year>.html or .pdf"
exit $status
