"""Pictures from the clinic's own library, embedded in the html handouts.

A HEP exercise may name an image file (``image``, with ``image_alt``) that lives in one
of the clinic config's ``library_dirs``. The file is read from disk, never fetched: a
name is a relative path inside a library folder (no absolute path, no ``..``, no
symlink leading out, a regular file only), at most ``MAX_IMAGE_BYTES``, and its type is
decided by its first bytes (PNG, JPEG) or by being a plain SVG document. An SVG with
scripts, event handlers, external references, embedded HTML, a DOCTYPE or entities is
refused rather than cleaned: a clinic's drawing never needs them. The picture goes into
the page as a ``data:`` URI, so the handout stays one self-contained offline file.
"""

from __future__ import annotations

import base64
import re
import stat
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from hep_mcp.errors import InputError

MAX_IMAGE_BYTES = 400_000  # a clear photo or line drawing at print size; larger files bloat the page

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_SVG_NS = "{http://www.w3.org/2000/svg}"
_SVG_FORBIDDEN_TAGS = {"script", "foreignobject", "iframe", "embed", "object", "audio", "video", "image", "use", "a"}
_LOCAL_REF = re.compile(r"^#[A-Za-z0-9_.:-]{1,100}$")
_URL_IN_CSS = re.compile(r"url\(\s*['\"]?(?!#)|@import|expression\(|javascript:", re.IGNORECASE)


def _field(index: int) -> str:
    return f"exercises[{index}].image"


def _inside(name: str, field: str) -> PurePosixPath:
    if not name or "\\" in name or "\x00" in name:
        raise InputError(f"{field}: expected a file name inside the clinic's library folder, got {name[:80]!r}")
    rel = PurePosixPath(name)
    if rel.is_absolute() or ".." in rel.parts or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", name):
        raise InputError(
            f"{field}: {name[:80]!r} must be a file name relative to the clinic's library folder "
            "(no absolute path, '..' or URL; pictures are never fetched)"
        )
    return rel


def find(name: str, library_dirs: tuple[str, ...], field: str) -> Path:
    """The picture's file, inside one of the library folders (first match wins)."""
    rel = _inside(name, field)
    if not library_dirs:
        raise InputError(
            f"{field}: {name[:80]!r} needs the clinic's library folder: add library_dirs to the clinic config"
        )
    for folder in library_dirs:
        base = Path(folder).resolve()
        candidate = base / rel
        try:
            info = candidate.lstat()
        except OSError:
            continue
        resolved = candidate.resolve()
        if not resolved.is_relative_to(base):
            raise InputError(f"{field}: {name[:80]!r} leads outside the library folder (a link); refused")
        info = resolved.stat()
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{field}: {name[:80]!r} is not a regular file")
        return resolved
    raise InputError(f"{field}: no picture {name[:80]!r} in the clinic's library folder(s)")


def _svg_ok(data: bytes, field: str) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{field}: the SVG is not UTF-8 text") from None
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        raise InputError(f"{field}: the SVG has a DOCTYPE or entities; save it as a plain SVG")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        raise InputError(f"{field}: not a well-formed SVG file") from None
    if root.tag not in (f"{_SVG_NS}svg", "svg"):
        raise InputError(f"{field}: expected an SVG drawing (an <svg> root element)")
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1].lower() if isinstance(el.tag, str) else ""
        if tag in _SVG_FORBIDDEN_TAGS:
            raise InputError(f"{field}: the SVG has a <{tag}> element (scripts, links and outside content are refused)")
        for key, value in el.attrib.items():
            attr = key.rsplit("}", 1)[-1].lower()
            if attr.startswith("on"):
                raise InputError(f"{field}: the SVG has an event handler ({attr}); refused")
            if attr in ("href", "src") and not _LOCAL_REF.match(value.strip()):
                raise InputError(f"{field}: the SVG refers to something outside itself ({attr}); refused")
            if _URL_IN_CSS.search(value):
                raise InputError(f"{field}: the SVG refers to something outside itself (in {attr}); refused")
        if tag == "style" and el.text and _URL_IN_CSS.search(el.text):
            raise InputError(f"{field}: the SVG's style refers to something outside itself; refused")


def media_type(data: bytes, field: str) -> str:
    """The picture's type from its content (the file name's ending is not trusted)."""
    if data.startswith(_PNG):
        return "image/png"
    if data.startswith(_JPEG):
        return "image/jpeg"
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:4096].lower()):
        _svg_ok(data, field)
        return "image/svg+xml"
    raise InputError(f"{field}: not a PNG, JPEG or SVG picture")


def data_uri(name: str, library_dirs: tuple[str, ...], index: int = 0) -> str:
    """The picture as a ``data:`` URI, after every check."""
    field = _field(index)
    path = find(name, library_dirs, field)
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise InputError(f"{field}: {name[:80]!r} is {size:,} bytes; the limit is {MAX_IMAGE_BYTES:,} (save it smaller)")
    with path.open("rb") as fh:
        data = fh.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise InputError(f"{field}: {name[:80]!r} is over {MAX_IMAGE_BYTES:,} bytes (save it smaller)")
    kind = media_type(data, field)
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
