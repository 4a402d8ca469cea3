#!/usr/bin/env bash
# Set everything up, then render every bundled example (each agency × year with data) in both editions
# under outputs/<year>/<agency>/, with each year's overview and the reviewers' index outputs/index.html.
# A report whose checks find errors is still rendered, with them shown.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/nianbao batch
echo "Open outputs/index.html: every report with its status, and links to both editions (review: HTML, PDF, notebook; publication: page, CMS fragment, PDF, Word)."
