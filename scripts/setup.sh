#!/usr/bin/env bash
# Set up everything nianbao needs on Debian/Ubuntu: the Debian packages for PDF (TeX with xeCJK,
# Noto CJK fonts, pandoc, poppler; Tesseract for scans), a virtual environment in .venv, and the package with its tests.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  texlive-xetex          # xelatex, which nbconvert's PDF exporter runs
  texlive-lang-chinese   # xeCJK
  texlive-fonts-recommended
  texlive-plain-generic  # packages nbconvert's LaTeX template loads (adjustbox, ...)
  lmodern
  fonts-noto-cjk         # Chinese in the PDF and in the charts
  pandoc                 # nbconvert turns Markdown into LaTeX with it
  poppler-utils          # pdftotext / pdftoppm, to read and look at the PDFs
  chromium               # headless, for the tests of the reviewers' index (outputs/index.html)
  libreoffice-calc-nogui # headless, for the tests of the Excel template as Excel/WPS/LibreOffice users print and save it
  libreoffice-writer-nogui # headless, for the tests of the Word file as Word/WPS/LibreOffice users lay it out
  tesseract-ocr          # nianbao import / audit of scanned reports (image-only PDFs, page pictures)
  tesseract-ocr-chi-sim  # its simplified-Chinese model
)
python3 -c 'import ensurepip, venv' 2>/dev/null || DEBIAN_PACKAGES+=(python3-venv)
# node and npm, for the tests of the CMS fragment in the web editors government sites run (npm packages);
# a node that brings its own npm (as NodeSource's does) is kept as it is
command -v node >/dev/null || DEBIAN_PACKAGES+=(nodejs)
command -v npm >/dev/null || DEBIAN_PACKAGES+=(npm)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo)
  else
    echo "nianbao needs these Debian packages: ${missing[*]}" >&2
    echo "Install them as root, then run this again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "==> apt-get install ${missing[*]}"
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> python3 -m venv .venv"
  python3 -m venv .venv
fi
echo "==> pip install -e .[test,dask]"
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test,dask]"
# pip byte-compiles what it installs, but not an editable package: where PYTHONDONTWRITEBYTECODE is set (as in
# some containers) every nianbao command, worker and kernel would compile the package's modules again
.venv/bin/python -m compileall -q src
# The web editors the CMS-fragment tests paste into (tests/editors/package.json, pinned by its lock file),
# from the npm registry when node and npm are here; again only when the lock file has changed.
if command -v node >/dev/null && command -v npm >/dev/null; then
  lock_sum=$(sha256sum tests/editors/package-lock.json | cut -d' ' -f1)
  if [ "$(cat tests/editors/node_modules/.nianbao-lock-sha256 2>/dev/null)" != "$lock_sum" ]; then
    echo "==> npm ci (tests/editors)"
    (cd tests/editors && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    echo "$lock_sum" > tests/editors/node_modules/.nianbao-lock-sha256
  fi
fi
# The report's nbconvert templates where Jupyter finds them, so that stock `jupyter nbconvert
# --template nianbao_html|nianbao_latex` works (a wheel install puts them there as data files; an
# editable install does not, so they are linked).
templates=".venv/share/jupyter/nbconvert/templates"
mkdir -p "$templates"
for t in src/nianbao/templates/nianbao_*; do
  ln -sfn "$PWD/$t" "$templates/$(basename "$t")"
done
.venv/bin/nianbao --version
