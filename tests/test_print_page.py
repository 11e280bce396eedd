"""Every clean example's HTML handout prints to exactly one US Letter page in headless Chromium.

Needs the Debian package `chromium` (CI: `apt-get install -y chromium`); skipped with
a reason where no Chromium is installed. Chromium runs offline: a throwaway profile,
no first-run, sync, component updates or background networking, and the page has
no external assets.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from hep_mcp.render import generate_hep

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "src" / "hep_mcp" / "examples").glob("*.yaml"))
BROWSER = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
LETTER = (612, 792)  # points

pytestmark = pytest.mark.slow

needs_chromium = pytest.mark.skipif(
    BROWSER is None, reason="headless Chromium not installed (Debian: apt-get install -y chromium)"
)


def chromium_pdf(html_file: Path, pdf: Path, profile: Path) -> bytes:
    cmd = [
        shutil.which(BROWSER),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--print-to-pdf={pdf}",
        "--no-pdf-header-footer",
        html_file.as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    assert pdf.exists(), f"Chromium wrote no PDF (exit {proc.returncode}): {proc.stderr.decode(errors='replace')[-500:]}"
    return pdf.read_bytes()


def page_objects(pdf: bytes) -> int:
    """Page objects (/Type /Page, not /Pages) in the PDF."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


def page_sizes(pdf: bytes) -> set[tuple[int, int]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return {(round(float(x1) - float(x0)), round(float(y1) - float(y0))) for x0, y0, x1, y1 in boxes}


def test_page_counter_counts_pages_not_the_page_tree():
    two = b"1 0 obj << /Type /Pages /Count 2 /Kids [2 0 R 3 0 R] >> 2 0 obj << /Type /Page /MediaBox [0 0 612 792] >> 3 0 obj <</Type/Page>>"
    assert page_objects(two) == 2
    assert page_sizes(two) == {LETTER}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_html_is_self_contained(example):
    html = generate_hep(yaml.safe_load(example.read_text(encoding="utf-8")), "html").text
    assert not re.search(r"https?://|<link\b|<script\b|<img\b|@import|url\(", html, re.IGNORECASE)
    assert "@page { size: letter;" in html and "@media print" in html


@needs_chromium
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_html_prints_to_one_letter_page(example, tmp_path):
    html = generate_hep(yaml.safe_load(example.read_text(encoding="utf-8")), "html").text
    page = tmp_path / f"{example.stem}.html"
    page.write_text(html, encoding="utf-8")
    pdf = chromium_pdf(page, tmp_path / f"{example.stem}.pdf", tmp_path / "profile")
    assert page_objects(pdf) == 1, f"{example.stem}: {page_objects(pdf)} pages"
    assert re.search(rb"/Type\s*/Pages\b[^>]*/Count\s+1\b", pdf) or re.search(rb"/Count\s+1\b", pdf)
    assert page_sizes(pdf) == {LETTER}


@needs_chromium
def test_an_overlong_handout_is_caught(tmp_path):
    """The counter is not blind: eight exercises do not fit on one page."""
    data = yaml.safe_load(EXAMPLES[0].read_text(encoding="utf-8"))
    data["exercises"] = data["exercises"] * 3
    page = tmp_path / "long.html"
    page.write_text(generate_hep(data, "html").text, encoding="utf-8")
    assert page_objects(chromium_pdf(page, tmp_path / "long.pdf", tmp_path / "profile")) >= 2
