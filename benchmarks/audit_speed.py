"""How fast `nianbao audit` reads and checks saved site pages: pages per second, and 1,000 pages projected.

Makes N copies of the real saved pages in ../shared/corpus/ (each a full site page with menus,
scripts and footer), then times, in the same run:

- the baseline a competent user would write: `nianbao import` once per file, as a separate CLI
  process each, run in parallel with one process per core (``xargs -P``-style, here a thread pool
  driving the subprocesses);
- nianbao: `nianbao audit DIR --jobs <cores>`, which imports every page and runs every rule on it.

Target (issue 11): 1,000 saved pages in under 60 s on 2 cores.

    .venv/bin/python benchmarks/audit_speed.py [--pages 200]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    pages = sorted(CORPUS.glob("*.html"))
    if not pages:
        sys.exit(f"no saved pages in {CORPUS}")
    nianbao = str(Path(sys.executable).with_name("nianbao"))
    with tempfile.TemporaryDirectory(prefix="nianbao-audit-bench-") as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        for i in range(args.pages):
            shutil.copyfile(pages[i % len(pages)], folder / f"{i:05d}-{pages[i % len(pages)].name}")
        files = sorted(folder.iterdir())

        started = time.perf_counter()
        out = Path(tmp) / "imported"

        def one(path: Path) -> int:
            return subprocess.run([nianbao, "import", str(path), "--out", str(out / path.stem)],
                                  capture_output=True).returncode

        with ThreadPoolExecutor(cores) as pool:
            codes = list(pool.map(one, files))
        baseline = time.perf_counter() - started

        started = time.perf_counter()
        done = subprocess.run([nianbao, "audit", str(folder), "--jobs", str(cores), "--format", "csv", "-o",
                               str(Path(tmp) / "audit.csv")], capture_output=True)
        ours = time.perf_counter() - started
    n = len(files)
    print(f"{n} saved pages on {cores} cores")
    print(f"  baseline: nianbao import per file, {cores} at a time: {baseline:.1f} s ({n / baseline:.1f} pages/s); "
          f"{codes.count(0)} imported")
    print(f"  nianbao audit --jobs {cores} (import and every rule): {ours:.1f} s ({n / ours:.1f} pages/s), exit {done.returncode}")
    print(f"  1,000 pages projected: baseline {1000 * baseline / n:.0f} s, audit {1000 * ours / n:.0f} s (target < 60 s); "
          f"audit is {baseline / ours:.1f}× the baseline")


if __name__ == "__main__":
    main()
