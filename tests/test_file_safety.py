"""No file leaks and bounded echoes: regular files only (a FIFO or device is an error,
never a hang), library folders that cannot reach other files, and messages and findings
that quote a short escaped excerpt, never a whole field or file."""

from __future__ import annotations

import os
import threading

import pytest
import yaml

from hep_mcp import library
from hep_mcp.check import check_draft
from hep_mcp.config import config_from_mapping, load_config
from hep_mcp.errors import EXCERPT, InputError, excerpt
from hep_mcp.textio import read_text_file

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
SECRET = "root:x:0:0:secret-line"


def _within(seconds: float, fn, *args):
    """fn(*args) in a thread; fail (instead of hanging the suite) if it blocks."""
    out: dict = {}

    def run():
        try:
            out["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            out["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"{fn.__name__} blocked"
    if "error" in out:
        raise out["error"]
    return out.get("value")


# -- regular files only ----------------------------------------------------------------------


@needs_fifo
def test_a_fifo_is_an_input_error_not_a_hang(tmp_path):
    fifo = tmp_path / "draft.md"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"draft.md: not a regular file \(a named pipe\); expected a text file"):
        _within(5, read_text_file, fifo)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_an_input_error():
    with pytest.raises(InputError, match=r"/dev/zero: not a regular file \(a device\)"):
        _within(5, read_text_file, "/dev/zero")


def test_a_folder_is_still_named_as_a_folder(tmp_path):
    with pytest.raises(InputError, match="is a directory; expected a file"):
        read_text_file(tmp_path)


@needs_fifo
@pytest.mark.parametrize("as_config", [False, True])
def test_cli_fifo_as_draft_or_config_is_one_line(tmp_path, capsys, as_config):
    from hep_mcp.cli import main

    fifo = tmp_path / ("clinic.yaml" if as_config else "draft.md")
    os.mkfifo(fifo)
    good = tmp_path / "good.md"
    good.write_text("Hi Maria, here is your knee plan.\n", encoding="utf-8")
    argv = ["check", "--config", str(fifo), str(good)] if as_config else ["check", str(fifo)]
    assert _within(10, main, argv) == 2
    err = capsys.readouterr().err
    assert "not a regular file (a named pipe)" in err and "Traceback" not in err


# -- library folders -------------------------------------------------------------------------

CLINIC_ENTRY = {
    "condition": "hip_replacement",
    "label": "Hip replacement",
    "phase": "early",
    "exercises": [
        {"key": f"ex{i}", "name": f"Exercise {i}", "description": "Lie on your back. Move slowly.",
         "tie_back": "This is the one we did {moment}."}
        for i in range(4)
    ],
}


@pytest.fixture
def secret_file(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    f = outside / "passwd.yaml"
    f.write_text(f"condition: {SECRET}\n", encoding="utf-8")
    return f


def test_a_link_out_of_a_library_folder_is_refused_without_its_content(tmp_path, secret_file):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "hip.yaml").write_text(yaml.safe_dump(CLINIC_ENTRY), encoding="utf-8")
    (lib / "leak.yaml").symlink_to(secret_file)
    with pytest.raises(InputError) as info:
        library.conditions([lib])
    msg = str(info.value)
    assert "leak.yaml: a link to a file outside the library folder" in msg and SECRET not in msg


def test_a_link_inside_the_folder_fifos_and_subfolders(tmp_path):
    lib = tmp_path / "lib"
    (lib / "sub").mkdir(parents=True)
    (lib / "hip.yaml").write_text(yaml.safe_dump(CLINIC_ENTRY), encoding="utf-8")
    (lib / "alias.yaml").symlink_to(lib / "hip.yaml")  # stays inside: fine
    (lib / "sub" / "knee.yaml").write_text("not read: subfolders are not library files\n", encoding="utf-8")
    if hasattr(os, "mkfifo"):
        os.mkfifo(lib / "pipe.yaml")
    assert "hip_replacement" in _within(10, library.conditions, [lib])


@pytest.mark.parametrize(
    "folder, problem",
    [
        ("/etc", "is an absolute path"),
        ("../elsewhere", "leads out of the config file's folder"),
        ("lib/../../elsewhere", "leads out of the config file's folder"),
        ("escape", "leads out of the config file's folder"),  # a link to a folder outside
    ],
)
def test_config_library_dirs_stay_next_to_the_config(tmp_path, folder, problem):
    home = tmp_path / "clinic"
    (home / "lib").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (home / "escape").symlink_to(tmp_path / "elsewhere")
    cfg = home / "clinic.yaml"
    cfg.write_text(yaml.safe_dump({"library_dirs": [folder]}), encoding="utf-8")
    with pytest.raises(InputError, match=problem):
        load_config(cfg)


def test_config_library_dirs_resolve_relative_to_the_config(tmp_path, monkeypatch):
    home = tmp_path / "clinic"
    (home / "lib").mkdir(parents=True)
    cfg = home / "clinic.yaml"
    cfg.write_text("library_dirs: [lib, ./lib/]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_config(cfg).library_dirs == (str((home / "lib").resolve()),) * 2


@pytest.mark.anyio
async def test_the_library_tool_never_returns_a_linked_file(tmp_path, secret_file):
    pytest.importorskip("mcp")
    from mcp import Client

    from hep_mcp.server import build_server

    home = tmp_path / "clinic"
    (home / "lib").mkdir(parents=True)
    (home / "lib" / "x.yaml").symlink_to(secret_file)
    cfg = home / "clinic.yaml"
    cfg.write_text("library_dirs: [lib]\n", encoding="utf-8")
    async with Client(build_server(load_config(cfg))) as c:
        r = await c.call_tool("exercise_library", {})
    assert r.is_error and "outside the library folder" in r.content[0].text
    assert SECRET not in r.content[0].text


@pytest.fixture
def anyio_backend():
    return "asyncio"


# -- bounded, escaped echoes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("short", "short"),
        ("a\nb\tc", "a\\nb\\tc"),
        ("\x1b[31mred", "\\u001b[31mred"),
        ("rtl\u202eevil", "rtl\\u202eevil"),
        ("x" * 200, "x" * (EXCERPT - 1) + "…"),
    ],
)
def test_excerpt(value, expected):
    assert excerpt(value) == expected


def test_an_unknown_key_of_megabytes_is_not_repeated():
    key = "k" * 3_000_000
    with pytest.raises(InputError) as info:
        config_from_mapping({key: 1})
    msg = str(info.value)
    assert len(msg) < 200 and "unknown field" in msg


def test_many_invalid_fields_are_counted_not_listed():
    with pytest.raises(InputError) as info:
        config_from_mapping({f"typo{i}": 1 for i in range(500)})
    msg = str(info.value)
    assert msg.endswith("and 490 more") and len(msg) < 1000


def test_a_control_character_in_a_key_is_escaped():
    with pytest.raises(InputError) as info:
        config_from_mapping({"bad\x1b[2Jkey\n": 1})
    assert "\x1b" not in str(info.value) and "\n" not in str(info.value)
    assert "bad\\u001b[2Jkey\\n" in str(info.value)


def test_a_reply_grows_with_its_findings_not_with_the_input():
    """A 96 KB bold exercise name, quoted by two rules, once made a 199 KB reply."""
    for size in (1_000, 12_000):
        text = "Hi Maria, here is your knee plan.\n1. **" + "Squeeze " * size + "**\n"
        report = check_draft(text)
        per_finding = len(report.model_dump_json()) / max(1, len(report.findings))
        assert per_finding < 400, (size, per_finding)
        assert all(len(f.message) <= 400 for f in report.findings)
        assert all("Squeeze " * 20 not in f.message for f in report.findings)
