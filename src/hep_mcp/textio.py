"""Reading user files safely: bytes to text, and structured data with limits.

Every failure is an :class:`InputError` whose message names the file and says
what is expected. Nothing here writes anywhere.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import yaml

from hep_mcp.errors import InputError

DEFAULT_MAX_BYTES = 100_000
MAX_DEPTH = 20


def decode(data: bytes, source: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Bytes to text with LF line endings: UTF-8 (with or without BOM) or UTF-16 with BOM."""
    if len(data) > max_bytes:
        raise InputError(f"{source}: {len(data):,} bytes is over the limit of {max_bytes:,} bytes")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"{source}: invalid UTF-16 at byte {exc.start}") from None
    else:
        if b"\x00" in data:
            raise InputError(f"{source}: binary file (contains NUL bytes); expected UTF-8 text")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"{source}: not valid UTF-8 (byte {exc.start}); save the file as UTF-8 text") from None
    return normalize_newlines(text)


# Invisible format characters (zero-width space/joiners, word joiner, soft hyphen, BOM,
# bidirectional controls): a reader never sees them, so the rules must not either --
# "no pain, no<U+200B> gain" is the same words as "no pain, no gain". Lines are unchanged.
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def visible(text: str) -> str:
    """The text as a reader sees it: invisible format characters removed."""
    return INVISIBLE.sub("", text)


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def open_regular(path: str | Path):
    """A regular file opened for reading (binary). A folder, FIFO, socket or device is an
    InputError, never a hang: the file is opened without blocking and checked before any
    read (no gap for a swap between the check and the open)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    if Path(path).is_dir():
        raise InputError(f"{path}: is a directory; expected a file")
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(f"{path}: is a directory; expected a file")
        if not stat.S_ISREG(mode):
            raise InputError(f"{path}: not a regular file ({_kind(mode)}); expected a text file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def read_text_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    p = Path(path)
    if "\x00" in str(path):
        raise InputError(f"{str(path).replace(chr(0), chr(92) + '0')}: not a valid path (contains a NUL character)")
    try:
        with open_regular(p) as fh:
            data = fh.read(max_bytes + 1)
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc.__class__.__name__})") from None
    if len(data) > max_bytes:
        raise InputError(f"{path}: over the size limit of {max_bytes:,} bytes")
    return decode(data, str(path), max_bytes)


class _NoAliasSafeLoader(yaml.SafeLoader):
    """Safe loading without anchors/aliases (no alias bombs), and no custom tags."""

    def compose_node(self, parent, index):  # noqa: D401
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)


def _depth(obj, limit: int, level: int = 0) -> None:
    if level > limit:
        raise ValueError
    if isinstance(obj, dict):
        for v in obj.values():
            _depth(v, limit, level + 1)
    elif isinstance(obj, list):
        for v in obj:
            _depth(v, limit, level + 1)


def _load_yaml(text: str, on_node=None):
    """yaml.load with the safe loader; ``on_node`` sees the composed node before it is
    constructed (construction rewrites merge keys in place)."""
    loader = _NoAliasSafeLoader(text)
    try:
        node = loader.get_single_node()
        if on_node is not None:
            on_node(node)
        return loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def safe_yaml(text: str, source: str, on_node=None):
    """``on_node``: called with the composed document node (None for an empty document),
    so a caller that needs the node too does not parse the text twice."""
    try:
        data = _load_yaml(text, on_node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}" if mark else ""
        raise InputError(f"{source}{where}: invalid YAML ({exc.problem or exc.context})") from None
    except RecursionError:
        raise InputError(f"{source}: invalid YAML (nested deeper than {MAX_DEPTH} levels)") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: invalid YAML ({exc.__class__.__name__})") from None
    except (ValueError, OverflowError) as exc:
        # a scalar the safe constructors cannot convert: 2024-02-30, a 5,000-digit number
        raise InputError(f"{source}: invalid YAML value ({_short(exc)})") from None
    _check_depth(data, source)
    return data


def _short(exc: BaseException, limit: int = 120) -> str:
    text = (str(exc).splitlines() or [exc.__class__.__name__])[0]
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def safe_json(text: str, source: str):
    try:
        data = json.loads(text, parse_constant=_no_constant)  # NaN/Infinity are not JSON
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}:{exc.lineno}: invalid JSON ({exc.msg})") from None
    except RecursionError:
        raise InputError(f"{source}: JSON nested deeper than {MAX_DEPTH} levels") from None
    except (ValueError, OverflowError) as exc:  # a 5,000-digit number, NaN, Infinity
        raise InputError(f"{source}: invalid JSON value ({_short(exc)})") from None
    _check_depth(data, source)
    return data


def _check_depth(data, source: str) -> None:
    try:
        _depth(data, MAX_DEPTH)
    except (ValueError, RecursionError):
        raise InputError(f"{source}: nested deeper than {MAX_DEPTH} levels") from None


def load_structured(text: str, source: str):
    """YAML or JSON by file suffix (YAML also reads JSON)."""
    if source.lower().endswith(".json"):
        return safe_json(text, source)
    return safe_yaml(text, source)
