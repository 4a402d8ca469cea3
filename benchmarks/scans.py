"""How fast scanned reports are read: pages per second, against running the OCR engine by hand.

Makes an image-only PDF of a real report (../shared/corpus/hongze-2024.pdf, five pages: rasterised at
300 dpi, turned 1°, JPEG-compressed, as a scanner gives it), then times, in the same run:

- the baseline: what a competent user does by hand — the pages drawn as PNG (``pdftoppm -r 300``) and
  ``tesseract page.png out -l chi_sim`` on each, ``xargs -P <cores>`` at a time. It gives each page's
  text only: no tables, no figure placed in its cell, nothing checked;
- nianbao: ``nianbao import scan.pdf --jobs <cores>`` (and ``--jobs 1``), the whole import: pages
  cleaned and levelled, tables found and read cell by cell (figures twice), the text read, the
  report parsed and its data file written.

Both run the same engine with one thread a process; the ratio says what reading the tables costs.

    .venv/bin/python benchmarks/scans.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT.parent / "shared" / "corpus" / "hongze-2024.pdf"
DPI = 300


def scanned(pdf: Path, out: Path) -> int:
    """An image-only PDF of ``pdf``'s pages as a scanner gives them; the number of pages."""
    import pypdfium2 as pdfium
    from PIL import Image

    document = pdfium.PdfDocument(str(pdf))
    pages = []
    for n in range(len(document)):
        image = document[n].render(scale=DPI / 72).to_pil().convert("RGB")
        image = image.rotate(1.0, resample=Image.Resampling.BICUBIC, fillcolor="white")
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=85)
        pages.append(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    document.close()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=DPI)
    return len(pages)


def by_hand(scan: Path, work: Path, jobs: int) -> float:
    """Seconds for the baseline: pdftoppm, then tesseract on each page, ``jobs`` at a time."""
    for old in work.glob("page*"):
        old.unlink()
    start = time.perf_counter()
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(scan), str(work / "page")], check=True)
    pages = sorted(str(p) for p in work.glob("page*.png"))
    subprocess.run(["xargs", "-P", str(jobs), "-I", "{}", "tesseract", "{}", "{}", "-l", "chi_sim"],
                   input="\n".join(pages).encode(), check=True, capture_output=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    return time.perf_counter() - start


def nianbao(scan: Path, work: Path, jobs: int) -> float:
    """Seconds for ``nianbao import`` of the scan, run as a user runs it."""
    command = [str(Path(sys.executable).with_name("nianbao")), "import", str(scan), "--out", str(work / "data"),
               "--force", "--jobs", str(jobs)]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, the fastest kept (default 2)")
    args = parser.parse_args()
    if not REPORT.is_file():
        sys.exit(f"找不到 {REPORT}（项目旁的 shared/corpus）")
    for program in ("pdftoppm", "tesseract", "xargs"):
        if shutil.which(program) is None:
            sys.exit(f"找不到 {program}：请先运行 bash scripts/setup.sh")
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores ({platform.machine()}), Python {platform.python_version()}, "
          f"{subprocess.run(['tesseract', '--version'], capture_output=True, text=True).stdout.splitlines()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        scan = work / "scan.pdf"
        pages = scanned(REPORT, scan)
        print(f"{REPORT.name}: {pages} pages at {DPI} dpi, turned 1°, JPEG")
        runs = {
            f"by hand: pdftoppm + tesseract per page (xargs -P {cores}), text only": lambda: by_hand(scan, work, cores),
            f"nianbao import --jobs {cores}, tables cell by cell + text + data file": lambda: nianbao(scan, work, cores),
            "nianbao import --jobs 1": lambda: nianbao(scan, work, 1),
        }
        best = {name: min(run() for _ in range(args.repeat)) for name, run in runs.items()}
        for name, seconds in best.items():
            print(f"  {name:78s} {seconds:6.1f} s = {pages / seconds:.2f} pages/s")
        hand, ours = list(best.values())[:2]
        print(f"nianbao reads {pages / ours:.2f} pages/s, {ours / hand:.2f}× the time of the by-hand text-only OCR")


if __name__ == "__main__":
    main()
