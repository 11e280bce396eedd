"""Remake the README's screenshots (docs/handout.png, docs/handout-large.png, docs/caregiver.png).

    python docs/screenshots.py

The total knee example with the example clinic config, rendered in html, html_large and
caregiver_html (with a caregiver's name), shown by headless Chromium (Debian's `chromium`)
at 900 px wide, as tall as the page. Offline: a throwaway profile, no network features.
"""

from __future__ import annotations

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
from hep_mcp.render import generate_hep  # noqa: E402

OFFLINE = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
SHOTS = {"handout.png": ("html", {}), "handout-large.png": ("html_large", {}),
         "caregiver.png": ("caregiver_html", {"caregiver_name": "Luis"})}
WIDTH = 900
HEIGHT_PROBE = ("<script>var p=document.createElement('pre');p.id='h';"
                "p.textContent=document.documentElement.scrollHeight;document.body.appendChild(p);</script>")


def chromium(args: list[str], profile: Path) -> str:
    browser = next(b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b))
    cmd = [browser, *OFFLINE, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, timeout=120, check=True).stdout.decode("utf-8")


def main() -> None:
    data = yaml.safe_load((ROOT / "src/hep_mcp/examples/tkr.yaml").read_text(encoding="utf-8"))
    config = load_config(ROOT / "src/hep_mcp/examples/clinic/clinic.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name, (fmt, extra) in SHOTS.items():
            page = generate_hep(data | extra, fmt, config=config).text
            probe = tmp / "probe.html"
            probe.write_text(page.replace("</body>", HEIGHT_PROBE + "</body>"), encoding="utf-8")
            out = chromium([f"--window-size={WIDTH},1000", "--dump-dom", probe.as_uri()], tmp / "profile")
            height = int(re.search(r'<pre id="h">(\d+)</pre>', out).group(1))
            source = tmp / f"{fmt}.html"
            source.write_text(page, encoding="utf-8")
            chromium([f"--window-size={WIDTH},{height}", f"--screenshot={ROOT / 'docs' / name}", source.as_uri()],
                     tmp / "profile")
            print(f"docs/{name}: {fmt}, {WIDTH}x{height}")


if __name__ == "__main__":
    main()
