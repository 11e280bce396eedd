"""Pages and last-page fill of the printed html handouts (Chromium print to Letter PDF).

    python bench/print_report.py [--fmt html] [--lang en|es|all]

For each format and example (English and Spanish) with the example clinic config: the page
count and how far down the last page the lowest inked line sits (a word, a box, a
question line): fill, % of the page's
printable height; 100 - fill is the slack left before one more page). Needs chromium and
pdftoppm (poppler-utils). Offline: a throwaway profile.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from hep_mcp.config import load_config  # noqa: E402
from hep_mcp.render import HTML_FORMATS, generate_hep  # noqa: E402

OFFLINE = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CLINIC = ROOT / "src/hep_mcp/examples/clinic/clinic.yaml"


def margins(page: str) -> tuple[float, float]:
    """Top and bottom @page margins in points."""
    m = re.search(r"@page\s*\{[^}]*margin:\s*([\d.]+)in(?:\s+([\d.]+)in)?(?:\s+([\d.]+)in)?", page)
    top = float(m.group(1))
    bottom = float(m.group(3) or m.group(1))
    return top * 72, bottom * 72


def printed(page: str, tmp: Path) -> tuple[int, float]:
    src, pdf = tmp / "p.html", tmp / "p.pdf"
    src.write_text(page, encoding="utf-8")
    browser = next(b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b))
    subprocess.run([browser, *OFFLINE, f"--user-data-dir={tmp / 'profile'}", f"--print-to-pdf={pdf}",
                    "--no-pdf-header-footer", src.as_uri()], capture_output=True, timeout=120, check=False)
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf.read_bytes()))
    # the lowest inked row of the last page (a question line or a box border counts, not only
    # words): the page drawn at 72 dpi in grey, scanned from the bottom for a non-white pixel
    pgm = subprocess.run(["pdftoppm", "-f", str(pages), "-l", str(pages), "-r", "72", "-gray", str(pdf)],
                         capture_output=True, timeout=60, check=True).stdout
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+\d+\s", pgm)
    width, height = int(m.group(1)), int(m.group(2))
    pixels = pgm[m.end():]
    bottom = next((y + 1 for y in range(height - 1, -1, -1) if min(pixels[y * width:(y + 1) * width]) < 200), 0)
    top, low = margins(page)
    return pages, 100 * (bottom * 792 / height - top) / (792 - top - low)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--fmt", choices=HTML_FORMATS, action="append")
    ap.add_argument("--lang", choices=("en", "es", "all"), default="all")
    ap.add_argument("--only", action="append", help="example stem(s)")
    args = ap.parse_args()
    config = load_config(CLINIC)
    dirs = {"en": ROOT / "src/hep_mcp/examples", "es": ROOT / "src/hep_mcp/examples/es"}
    langs = ("en", "es") if args.lang == "all" else (args.lang,)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for fmt in args.fmt or HTML_FORMATS:
            for lang in langs:
                row = []
                for ex in sorted(dirs[lang].glob("*.yaml")):
                    if args.only and ex.stem not in args.only:
                        continue
                    page = generate_hep(yaml.safe_load(ex.read_text(encoding="utf-8")), fmt, config=config).text
                    pages, fill = printed(page, tmp)
                    row.append(f"{ex.stem}:{pages}p/{fill:.0f}%")
                print(f"{fmt:15} {lang}: " + "  ".join(row), flush=True)


if __name__ == "__main__":
    main()
