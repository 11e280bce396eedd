"""Pictures from the clinic's library: embedded offline in the html formats, checked before use.

The tests make their own tiny images (a 1x1 PNG, a minimal JPEG header, small SVGs); the
product ships no pictures.
"""

from __future__ import annotations

import base64
import os
import struct
import zlib
from pathlib import Path

import pytest
import yaml

from hep_mcp.config import config_from_mapping
from hep_mcp.errors import InputError
from hep_mcp.render import FORMATS, HTML_FORMATS, generate_hep
from hep_mcp.render.images import MAX_IMAGE_BYTES, data_uri

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "src" / "hep_mcp" / "examples" / "low_back.yaml"


def png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#036"/></svg>'


@pytest.fixture
def library(tmp_path) -> Path:
    lib = tmp_path / "library"
    (lib / "pictures").mkdir(parents=True)
    (lib / "pictures" / "bridge.png").write_bytes(png_1x1())
    (lib / "pictures" / "tilt.svg").write_text(SVG, encoding="utf-8")
    (lib / "pictures" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    return lib


def config_for(lib: Path):
    return config_from_mapping({"library_dirs": [str(lib)], "clinic": {"phone": "(555) 010-4477"}})


def hep_with(image: str | None, alt: str | None = "A person lying on their back, lifting their hips") -> dict:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["exercises"][0] |= {"image": image, "image_alt": alt}
    return data


@pytest.mark.parametrize("name,kind", [("pictures/bridge.png", "image/png"), ("pictures/tilt.svg", "image/svg+xml"), ("pictures/photo.jpg", "image/jpeg")])
def test_a_library_picture_is_embedded_offline_in_every_html_format(library, name, kind):
    config = config_for(library)
    raw = (library / name).read_bytes()
    for fmt in HTML_FORMATS:
        result = generate_hep(hep_with(name), fmt, config=config)
        expected = f'<img class="pic" src="data:{kind};base64,{base64.b64encode(raw).decode()}" alt="A person lying on their back, lifting their hips">'
        assert expected in result.text, fmt
        assert "http" not in result.text.split("<body>")[1]
        assert result.ready, [f.rule for f in result.findings]
    for fmt in set(FORMATS) - set(HTML_FORMATS):  # text formats carry no picture
        assert "data:image" not in generate_hep(hep_with(name), fmt, config=config).text


def test_alt_text_is_required():
    with pytest.raises(InputError, match=r"image_alt"):
        generate_hep(hep_with("pictures/bridge.png", alt=None), "html")


@pytest.mark.parametrize("name,message", [
    ("/etc/passwd", "relative to the clinic's library folder"),
    ("../secret.png", "relative to the clinic's library folder"),
    ("https://evil.example/x.png", "never fetched"),
    ("pictures/none.png", "no picture"),
    ("pictures", "not a regular file"),
])
def test_names_outside_the_library_or_missing_are_input_errors(library, name, message):
    with pytest.raises(InputError, match=message):
        generate_hep(hep_with(name), "html", config=config_for(library))


def test_no_library_folder_is_an_input_error_naming_library_dirs():
    with pytest.raises(InputError, match=r"exercises\[0\]\.image: .*library_dirs"):
        generate_hep(hep_with("pictures/bridge.png"), "html")


def test_a_link_leading_out_of_the_library_is_refused(library, tmp_path):
    outside = tmp_path / "outside.png"
    outside.write_bytes(png_1x1())
    os.symlink(outside, library / "pictures" / "link.png")
    with pytest.raises(InputError, match="outside the library folder"):
        generate_hep(hep_with("pictures/link.png"), "html", config=config_for(library))


def test_an_oversized_picture_is_a_clear_input_error(library):
    big = library / "pictures" / "big.png"
    big.write_bytes(png_1x1() + b"\x00" * MAX_IMAGE_BYTES)
    with pytest.raises(InputError, match=r"exercises\[0\]\.image: 'pictures/big.png' is [\d,]+ bytes; the limit is"):
        generate_hep(hep_with("pictures/big.png"), "html", config=config_for(library))


@pytest.mark.parametrize("content", [
    b"GIF89a\x01\x00\x01\x00",  # not one of the three types
    b"just some text, named .png",
    b"%PDF-1.7",
])
def test_a_file_that_is_not_a_picture_is_refused_by_its_content(library, content):
    fake = library / "pictures" / "fake.png"
    fake.write_bytes(content)
    with pytest.raises(InputError, match="not a PNG, JPEG or SVG picture"):
        data_uri("pictures/fake.png", (str(library),))


@pytest.mark.parametrize("svg,message", [
    ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
    ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>', "event handler"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><image x:href="http://evil.example/a.png"/></svg>', "<image>"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url(http://evil.example/p)"/></svg>', "outside itself"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(http://evil.example/c.css);</style></svg>', "outside itself"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>hi</p></foreignObject></svg>', "foreignobject"),
    ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', "DOCTYPE"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect', "well-formed"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><a href="https://evil.example"><rect/></a></svg>', "<a>"),
])
def test_an_svg_with_scripts_or_outside_references_is_refused(library, svg, message):
    (library / "pictures" / "bad.svg").write_text(svg, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        data_uri("pictures/bad.svg", (str(library),))


def test_an_svg_with_a_local_gradient_reference_is_fine(library):
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><defs><linearGradient id="g"/></defs>'
           '<rect fill="url(#g)" width="4" height="4"/></svg>')
    (library / "pictures" / "ok.svg").write_text(svg, encoding="utf-8")
    assert data_uri("pictures/ok.svg", (str(library),)).startswith("data:image/svg+xml;base64,")


def test_the_library_entry_carries_the_picture_name(tmp_path):
    from hep_mcp.library import LibraryExercise

    ex = LibraryExercise(key="bridges", name="Bridges", description="Lie on your back. Lift your hips.",
                         tie_back="We did this {moment}.", image="pictures/bridge.png", image_alt="Hips lifted")
    assert ex.image == "pictures/bridge.png"
    with pytest.raises(ValueError, match="image_alt"):
        LibraryExercise(key="bridges", name="Bridges", description="Lie on your back. Lift your hips.",
                        tie_back="We did this {moment}.", image="pictures/bridge.png")
