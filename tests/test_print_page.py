"""The html handouts in headless Chromium: printed to Letter PDF and measured on the rendered page.

For every example, in html (14 pt), html_large (16 pt) and caregiver_html, with the example
clinic config:
- the PDF is Letter, at most 2 pages, and page 1 holds the clinic's contact block, every rule
  and every warning sign;
- no block (exercise card, rules, warning signs, contact, pain scale, goal...) is split by a
  page break: all of a block's words are on one page;
- measured on the rendered page (Chromium --dump-dom with a measuring script added to a copy
  of the page): body text at least 14/16 pt, no text under 11 pt, every text's contrast
  against its background at least 4.5:1, tick boxes at least 0.4 inch, one row of boxes per
  session of the day.
A HEP with long unbreakable values in every field still prints every rule, warning sign and
contact line (nothing is pushed off the page).

Needs the Debian packages `chromium` and `poppler-utils` (pdftotext; CI installs both);
skipped with a reason where they are absent. Chromium runs offline: a throwaway profile, no
first-run, sync, component updates or background networking; the page has no external assets.
"""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from hep_mcp.config import load_config
from hep_mcp.render import HTML_FORMATS, context, generate_hep
from hep_mcp.render.checkable import html_to_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "src" / "hep_mcp" / "examples").glob("*.yaml"))
EXAMPLES_ES = sorted((ROOT / "src" / "hep_mcp" / "examples" / "es").glob("*.yaml"))
CLINIC = ROOT / "src" / "hep_mcp" / "examples" / "clinic" / "clinic.yaml"
BROWSER = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
PDFTOTEXT = shutil.which("pdftotext")
LETTER = (612, 792)  # points
MAX_PAGES = {"html": 2, "html_large": 2, "caregiver_html": 2}
BODY_PT = {"html": 14, "html_large": 16, "caregiver_html": 14}

pytestmark = pytest.mark.slow

needs_chromium = pytest.mark.skipif(
    BROWSER is None or PDFTOTEXT is None,
    reason="headless Chromium and pdftotext not installed (Debian: apt-get install -y chromium poppler-utils)",
)

OFFLINE = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    cmd = [shutil.which(BROWSER), *OFFLINE, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, timeout=120, check=False)


def chromium_pdf(html_file: Path, pdf: Path, profile: Path) -> bytes:
    proc = chromium([f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html_file.as_uri()], profile)
    assert pdf.exists(), f"Chromium wrote no PDF (exit {proc.returncode}): {proc.stderr.decode(errors='replace')[-500:]}"
    return pdf.read_bytes()


def page_objects(pdf: bytes) -> int:
    """Page objects (/Type /Page, not /Pages) in the PDF."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


def page_sizes(pdf: bytes) -> set[tuple[int, int]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return {(round(float(x1) - float(x0)), round(float(y1) - float(y0))) for x0, y0, x1, y1 in boxes}


def pdf_pages_text(pdf: Path, pages: int) -> list[str]:
    out = []
    for n in range(1, pages + 1):
        proc = subprocess.run([PDFTOTEXT, "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True, timeout=60, check=True)
        out.append(proc.stdout.decode("utf-8"))
    return out


def squash(text: str) -> str:
    """Text without any white space (a wrapped long word comes back in pieces)."""
    return re.sub(r"\s+", "", text)


def words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z0-9]{2,}", text))


def test_page_counter_counts_pages_not_the_page_tree():
    two = b"1 0 obj << /Type /Pages /Count 2 /Kids [2 0 R 3 0 R] >> 2 0 obj << /Type /Page /MediaBox [0 0 612 792] >> 3 0 obj <</Type/Page>>"
    assert page_objects(two) == 2
    assert page_sizes(two) == {LETTER}


@pytest.mark.parametrize("fmt", HTML_FORMATS)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_html_is_self_contained(example, fmt):
    page = generate_hep(yaml.safe_load(example.read_text(encoding="utf-8")), fmt, config=load_config(CLINIC)).text
    assert not re.search(r"https?://|<link\b|<script\b|@import|url\(", page, re.IGNORECASE)
    assert all(src.startswith("data:image/") for src in re.findall(r'<img\b[^>]*\bsrc="([^"]*)"', page))
    assert "@page { size: letter;" in page and "@media print" in page and "break-inside: avoid" in page


# -- measuring the rendered page ------------------------------------------------------------

MEASURE = r"""
<script>
(function () {
  function rgb(s) { var m = s.match(/[\d.]+/g); return m ? m.map(Number) : [0, 0, 0, 0]; }
  function lum(c) {
    var a = c.slice(0, 3).map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * a[0] + 0.7152 * a[1] + 0.0722 * a[2];
  }
  function background(el) {
    for (; el; el = el.parentElement) {
      var c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  }
  var texts = [];
  document.querySelectorAll('main *').forEach(function (el) {
    var own = Array.prototype.some.call(el.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim(); });
    if (!own) return;
    var s = getComputedStyle(el);
    var fg = lum(rgb(s.color)), bg = lum(background(el));
    texts.push({tag: el.tagName.toLowerCase(), cls: el.className, text: el.textContent.trim().slice(0, 40),
                pt: parseFloat(s.fontSize) * 0.75,
                contrast: (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05)});
  });
  var boxes = Array.prototype.map.call(document.querySelectorAll('.box'), function (b) {
    var r = b.getBoundingClientRect(); return [r.width / 96, r.height / 96];
  });
  var rows = [], perRow = [];
  document.querySelectorAll('table.ticks tr[data-exercise]').forEach(function (tr) {
    var n = Number(tr.getAttribute('data-exercise'));
    while (rows.length < n) rows.push(0);
    rows[n - 1] += 1;
    perRow.push(tr.querySelectorAll('.box').length);
  });
  var pre = document.createElement('pre');
  pre.id = 'measured';
  pre.textContent = JSON.stringify({texts: texts, boxes: boxes, rows: rows, perRow: perRow});
  document.body.appendChild(pre);
})();
</script>
"""


def measure(page: str, tmp_path: Path) -> dict:
    probe = tmp_path / "measure.html"
    probe.write_text(page.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    proc = chromium(["--window-size=816,1056", "--dump-dom", probe.as_uri()], tmp_path / "profile-m")
    m = re.search(r'<pre id="measured">(.*?)</pre>', proc.stdout.decode("utf-8"), re.S)
    assert m, f"no measurement from Chromium: {proc.stderr.decode(errors='replace')[-300:]}"
    return json.loads(htmllib.unescape(m.group(1)))


def blocks(page: str) -> list[str]:
    """The visible text of each <section> (the blocks that must not be split)."""
    return [html_to_text("<body>\n" + s) for s in re.findall(r"<section\b.*?</section>", page, re.S)]


def safety_lines(hep, fmt: str) -> list[str]:
    """Every rule, warning sign and contact line the page must show on page 1, as rendered."""
    ctx = context(hep, load_config(CLINIC), fmt)
    lines = list(ctx["red_flags"]) + [ctx["missed_day"], ctx["feels_different"], *ctx["precautions"]]
    lines += [f"{label}: {value}" for label, value in ctx["clinic_lines"]]
    if hep.language == "es":
        lines.append(f"más de {ctx['pain_points']} puntos desde donde empezó")
    else:
        lines.append(f"more than {ctx['pain_points']} points from where it started")
    return lines


@needs_chromium
@pytest.mark.parametrize("fmt", HTML_FORMATS)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_printed_handout(example, fmt, tmp_path):
    _check_printed(example, fmt, tmp_path)


@needs_chromium
@pytest.mark.parametrize("fmt", HTML_FORMATS)
@pytest.mark.parametrize("example", EXAMPLES_ES, ids=lambda p: f"es-{p.stem}")
def test_printed_spanish_handout(example, fmt, tmp_path):
    """The Spanish pages keep the same guarantees (page 1 safety lines, no split block, type
    sizes, contrast, boxes, at most two pages)."""
    _check_printed(example, fmt, tmp_path)


def _check_printed(example, fmt, tmp_path):
    from hep_mcp.render import coerce_hep

    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    config = load_config(CLINIC)
    page = generate_hep(data, fmt, config=config).text
    source = tmp_path / f"{example.stem}.html"
    source.write_text(page, encoding="utf-8")
    pdf_path = tmp_path / f"{example.stem}.pdf"
    pdf = chromium_pdf(source, pdf_path, tmp_path / "profile")
    pages = page_objects(pdf)
    assert 1 <= pages <= MAX_PAGES[fmt], f"{example.stem} {fmt}: {pages} pages"
    assert page_sizes(pdf) == {LETTER}
    texts = pdf_pages_text(pdf_path, pages)

    first = squash(texts[0])
    for line in safety_lines(coerce_hep(data), fmt):
        assert squash(line.rstrip(".")) in first, f"{fmt}: not on page 1: {line!r}"

    page_words = [words(t) for t in texts]
    for block in blocks(page):
        need = words(block)
        assert any(need <= have for have in page_words), f"{fmt}: a block is split by a page break: {block.strip()[:80]!r}"

    measured = measure(page, tmp_path)
    body = [t for t in measured["texts"] if t["tag"] in ("p", "li") and "scale" not in t["cls"]]
    assert body and min(t["pt"] for t in body) >= BODY_PT[fmt] - 0.01, sorted(body, key=lambda t: t["pt"])[:3]
    smallest = min(measured["texts"], key=lambda t: t["pt"])
    assert smallest["pt"] >= 11 - 0.01, smallest
    lowest = min(measured["texts"], key=lambda t: t["contrast"])
    assert lowest["contrast"] >= 4.5, lowest
    assert measured["boxes"] and min(min(b) for b in measured["boxes"]) >= 0.4
    sessions = len(context(coerce_hep(data), config, fmt)["sessions"])
    assert measured["rows"] == [sessions] * len(data["exercises"])  # one row of boxes per session, per exercise
    assert set(measured["perRow"]) == {7}  # a box for each day of the week


@needs_chromium
def test_an_overlong_handout_is_caught(tmp_path):
    """The page counter is not blind: twelve exercises take two pages more than three (nine fit on
    three pages of the 14 pt layout)."""
    data = yaml.safe_load(EXAMPLES[0].read_text(encoding="utf-8"))
    source = tmp_path / "short.html"
    source.write_text(generate_hep(data, "html").text, encoding="utf-8")
    short = page_objects(chromium_pdf(source, tmp_path / "short.pdf", tmp_path / "profile"))
    data["exercises"] = data["exercises"] * 4
    source = tmp_path / "long.html"
    source.write_text(generate_hep(data, "html").text, encoding="utf-8")
    assert page_objects(chromium_pdf(source, tmp_path / "long.pdf", tmp_path / "profile")) >= short + 2


def _long(n: int, seed: str) -> str:
    return (seed * (n // len(seed) + 1))[:n]


def long_values(data: dict) -> dict:
    """Every free-text field a long unbreakable word (no spaces to wrap at)."""
    data = dict(data)
    data["patient_first_name"] = _long(60, "Mariabelle")
    data["exercises"] = [
        {"name": _long(200, "Thighsqueeze"), "description": _long(1200, "Liedownflatonyourback"),
         "tie_back": _long(200, "Wedidthistoday"), "dose": _long(200, "Tensqueezes")}
        for _ in data["exercises"]
    ]
    data["schedule"] = {k: _long(200, k.capitalize() + "everymorning") for k in ("when", "where", "trigger", "amount")}
    data["feedback"] = {"channel": "the patient portal", "log": _long(600, "TapDoneintheportal"),
                        "problem": _long(600, "Sendaportalmessage")}
    data["milestone"] = {k: _long(200, "Holdfivesecondsfull") for k in ("what", "target", "by_when")}
    data["response_rules"] = {"missed_day": "If you miss a day, that's okay. " + _long(300, "Startagainnextday"),
                              "feels_different": "If something feels different, stop and call the clinic. " + _long(300, "Newpainnewswelling")}
    return data


@needs_chromium
@pytest.mark.parametrize("fmt", ["html", "caregiver_html"])
def test_long_unbreakable_values_never_push_safety_lines_off_the_page(fmt, tmp_path):
    from hep_mcp.render import coerce_hep

    data = long_values(yaml.safe_load(EXAMPLES[-1].read_text(encoding="utf-8")))
    result = generate_hep(data, fmt, config=load_config(CLINIC))
    source = tmp_path / "long.html"
    source.write_text(result.text, encoding="utf-8")
    pdf_path = tmp_path / "long.pdf"
    pdf = chromium_pdf(source, pdf_path, tmp_path / "profile")
    printed = squash("".join(pdf_pages_text(pdf_path, page_objects(pdf))))
    for line in safety_lines(coerce_hep(data), fmt):
        assert squash(line.rstrip(".")) in printed, f"missing from the printed page: {line[:80]!r}"
    for ex in data["exercises"]:
        assert squash(ex["description"]) in printed and squash(ex["dose"]) in printed


@needs_chromium
def test_a_library_picture_shows_in_the_printed_page_offline(tmp_path):
    from tests.test_render_images import SVG

    lib = tmp_path / "library"
    lib.mkdir()
    (lib / "bridge.svg").write_text(SVG, encoding="utf-8")
    config = load_config(CLINIC).model_copy(update={"library_dirs": (str(lib),)})
    data = yaml.safe_load(EXAMPLES[0].read_text(encoding="utf-8"))
    data["exercises"][0] |= {"image": "bridge.svg", "image_alt": "A drawing of the exercise"}
    page = generate_hep(data, "html", config=config).text
    probe = tmp_path / "pic.html"
    script = ("<script>var i = document.images[0]; var p = document.createElement('pre'); p.id = 'pic';"
              "p.textContent = i.complete + ' ' + i.naturalWidth + ' ' + i.alt; document.body.appendChild(p);</script>")
    probe.write_text(page.replace("</body>", script + "</body>"), encoding="utf-8")
    out = chromium(["--dump-dom", probe.as_uri()], tmp_path / "profile").stdout.decode("utf-8")
    assert '<pre id="pic">true 10 A drawing of the exercise</pre>' in out


@pytest.mark.parametrize("fmt", ["caregiver", "caregiver_html"])
def test_caregiver_sheet_speaks_to_the_caregiver_with_safety_first(fmt):
    """Precautions, the rules and the warning signs come before how to help and the exercises;
    the framing names the patient; the therapist's exercise text is kept word for word."""
    data = yaml.safe_load((ROOT / "src" / "hep_mcp" / "examples" / "hip.yaml").read_text(encoding="utf-8"))
    data["caregiver_name"] = "Luis"
    page = generate_hep(data, fmt, config=load_config(CLINIC)).text
    text = html_to_text(page) if fmt.endswith("html") else page
    name = data["patient_first_name"]
    order = [text.index(s) for s in (
        "Hi Luis", f"Keep {name} safe", data["precautions"][0], "Missed a day:", "Warning signs",
        f"If {name} has any of these, act at once", "How you can help", f"Help {name} with the three exercises",
        f'"you" means {name}', data["exercises"][0]["description"],
    )]
    assert order == sorted(order)
    for ex in data["exercises"]:
        assert ex["description"] in text
