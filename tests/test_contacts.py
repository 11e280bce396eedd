"""Links are the clinic's or nothing: web addresses, e-mail addresses and phone numbers in
a draft or in any HEP field must be ones the clinic config names (911/988 always fine);
Markdown link syntax in fields is inert in every format; html carries no foreign href."""

from __future__ import annotations

import gc
import time
from importlib import resources

import pytest
import yaml

from hep_mcp.check import check_draft
from hep_mcp.config import config_from_mapping
from hep_mcp.render import FORMATS, generate_hep
from hep_mcp.render.links import html_links, inert_links, named_by_clinic
from tests.growth import assert_linear
from hep_mcp.rules.contacts import foreign

CLINIC = {
    "phone": "(555) 010-4477",
    "after_hours_phone": "555.010.9000",
    "text_line": "+1 555 010 2222",
    "portal_url": "https://mychart.riverside.example/login",
    "email": "frontdesk@riverside.example",
    "domains": ["riversidept.example"],
}
CONFIG = config_from_mapping({"clinic": CLINIC})


def tkr() -> dict:
    return yaml.safe_load(resources.files("hep_mcp").joinpath("examples", "tkr.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "text, found",
    [
        # the clinic's own, and emergency numbers: fine
        ("Log it at https://mychart.riverside.example/hep today.", []),
        ("See www.riversidept.example or riversidept.example/knee.", []),
        ("Write to frontdesk@riverside.example or help@riversidept.example.", []),
        ("Call (555) 010-4477, 555-010-4477, 1-555-010-4477 or 555.010.9000.", []),
        ("Text +1 555 010 2222. After hours: 010-9000.", []),
        ("Chest pain: call 911. In crisis: call or text 988. Poison Control: 1-800-222-1222.", []),
        # not links, e-mail addresses or phone numbers
        ("Hold 5 seconds, e.g. 2.5 reps, i.e. slowly. Tap Done in the portal.Then rest.", []),
        ("Do 10-15 squeezes, 3-4 times a day, on 2024-01-05 at 7:30.", []),
        ("SSN 123-45-6789, DOB 03/04/1961, MRN 4482913.", []),  # privacy rules' business
        # someone else's
        ("[Open MyChart](http://mychart-login.evil.example/riverside)", [("link", "http://mychart-login.evil.example/riverside")]),
        ("Log it at bit.ly/knee-log", [("link", "bit.ly/knee-log")]),
        ("www.evil.example", [("link", "www.evil.example")]),
        ("https://riverside.example.evil.com/x", [("link", "https://riverside.example.evil.com/x")]),
        ("https://frontdesk@evil.example/", [("link", "https://frontdesk@evil.example/")]),
        ("http://192.0.2.7/login", [("link", "http://192.0.2.7/login")]),
        ("javascript:alert(1)", [("link", "javascript:alert")]),
        ("<a href=\"http://evil.example\">portal</a>", [("link", "http://evil.example")]),
        ("Write to riverside.help@gmail.com", [("email", "riverside.help@gmail.com")]),
        ("mailto:bad@evil.example", [("email", "mailto:bad@evil.example")]),
        ("Call (555) 019-8080 or 555-1234", [("phone", "(555) 019-8080"), ("phone", "555-1234")]),
        ("WhatsApp +44 20 7946 0958", [("phone", "+44 20 7946 0958")]),
        ("tel:+15550199999", [("phone", "tel:+15550199999")]),
    ],
)
def test_foreign(text, found):
    assert [(kind, quote) for _, kind, quote in foreign(text, CONFIG.clinic)] == found


def test_without_a_clinic_config_every_contact_is_foreign_but_emergency_numbers():
    clinic = config_from_mapping({}).clinic
    assert [k for _, k, _ in foreign("Call (555) 010-4477 or see https://mychart.riverside.example", clinic)] == [
        "phone", "link"]
    assert list(foreign("Call 911 now. Or 988.", clinic)) == []


# -- free-text drafts: an error naming the line ------------------------------------------------


def test_a_phishing_link_and_an_unknown_number_in_a_draft_are_errors_on_their_lines():
    draft = "Hi Maria, here is your knee plan.\n1. Thigh squeeze\nLog it at http://evil.example/login\nCall 555-019-9999\n"
    report = check_draft(draft, config=CONFIG)
    got = {(f.rule, f.line, f.severity) for f in report.findings if f.rule.startswith("LK")}
    assert got == {("LK001", 3, "error"), ("LK003", 4, "error")}
    assert not report.ready


def test_the_clinics_own_contacts_in_a_draft_pass():
    draft = "Hi Maria, here is your knee plan.\n1. Thigh squeeze\nLog it at https://mychart.riverside.example\nCall (555) 010-4477 or 911\n"
    assert not [f for f in check_draft(draft, config=CONFIG).findings if f.rule.startswith("LK")]


def test_a_quote_is_short_and_escaped():
    draft = "Hi Maria, knee plan.\nhttp://evil.example/" + "a" * 5000 + "\x1b[2J\n"
    (f,) = [f for f in check_draft(draft).findings if f.rule == "LK001"]
    assert len(f.message) < 150 and "\x1b" not in f.message


# -- structured HEPs: an error naming the field -------------------------------------------------

FIELDS = [
    ("patient_first_name",), ("exercises", 0, "name"), ("exercises", 1, "description"), ("exercises", 2, "tie_back"),
    ("exercises", 0, "dose"), ("schedule", "when"), ("schedule", "where"), ("schedule", "trigger"),
    ("schedule", "amount"), ("feedback", "channel"), ("feedback", "log"), ("feedback", "problem"),
    ("milestone", "what"), ("milestone", "target"), ("milestone", "by_when"), ("response_rules", "missed_day"),
    ("response_rules", "feels_different"), ("accountability_line",), ("therapist_name",), ("caregiver_name",),
]
HOSTILE = {
    "LK001": "see [the portal](http://mychart.evil.example/login)",
    "LK002": "write to pt.help@gmail.com",
    "LK003": "call (555) 019-8080",
}


def _set(data: dict, path: tuple, value: str) -> None:
    node = data
    for key in path[:-1]:
        node = node.setdefault(key, {}) if isinstance(key, str) else node[key]
    node[path[-1]] = value


@pytest.mark.parametrize("path", FIELDS, ids=lambda p: ".".join(map(str, p)))
@pytest.mark.parametrize("rule_id", sorted(HOSTILE))
def test_a_foreign_contact_in_any_field_is_an_error_naming_the_field(path, rule_id):
    data = tkr()
    value = HOSTILE[rule_id]
    if path[-1] in ("patient_first_name", "therapist_name", "caregiver_name"):
        value = value[:60]
    _set(data, path, value)
    shown = ".".join(map(str, path))
    for fmt in ("print", "sms"):
        result = generate_hep(data, fmt, config=CONFIG)
        hits = [f for f in result.findings if f.rule == rule_id]
        assert hits and hits[0].severity == "error" and f" in {shown}: " in hits[0].message, (fmt, result.findings)
        assert result.ready is False


def test_the_clinics_own_portal_and_phone_in_fields_pass_in_every_format():
    data = tkr()
    data["feedback"]["log"] = "Tap Done in the patient portal at https://mychart.riverside.example each day."
    data["feedback"]["problem"] = "Call the clinic at (555) 010-4477, or send a portal message."
    for fmt in FORMATS:
        result = generate_hep(data, fmt, config=CONFIG)
        assert not [f for f in result.findings if f.rule.startswith("LK")], fmt
        assert result.ready, (fmt, [f.rule for f in result.findings if f.severity == "error"])


# -- link syntax inert, html hrefs ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[Click here](http://evil.example)", "Click here (http://evil.example)"),
        ("![logo](http://evil.example/a.png)", "logo (http://evil.example/a.png)"),
        ('[x](http://e.example "title")', "x (http://e.example)"),
        ("[](http://e.example)", "link (http://e.example)"),
        ("<http://evil.example>", "http://evil.example"),
        ("a [b] c (d)", "a [b] c (d)"),
    ],
)
def test_inert_links(text, expected):
    assert inert_links(text) == expected


def test_link_syntax_in_fields_is_inert_and_html_carries_no_foreign_href_in_every_format():
    data = tkr()
    for i, ex in enumerate(data["exercises"]):
        ex["name"] = f"[Ex {i}](http://evil.example/{i})"
        ex["dose"] = f"![img](http://evil.example/{i}.png) <http://evil.example/{i}>"
    data["feedback"]["log"] = '<a href="http://evil.example">Log</a> <img src=http://evil.example/x.png>'
    data["milestone"]["what"] = "[![a](http://evil.example/b.png)](http://evil.example/c)"
    for fmt in FORMATS:
        result = generate_hep(data, fmt, config=CONFIG)
        assert "](" not in result.text and "<http" not in result.text, fmt
        assert not result.ready
    html = generate_hep(data, "html", config=CONFIG).text
    assert [u for u in html_links(html) if not named_by_clinic(u, CONFIG.clinic)] == []
    assert "<a " not in html and "<img" not in html


def test_an_href_the_clinic_did_not_name_in_the_html_page_is_an_error(monkeypatch):
    import hep_mcp.render as render_module

    real = render_module.render

    def with_links(hep, fmt="print", config=None):
        page = real(hep, fmt, config)
        return page.replace("<main>", '<main><a href="https://mychart.riverside.example/x">Portal</a>'
                                      '<a href="tel:+15550104477">Call</a><img src="https://cdn.evil.example/t.gif">')

    monkeypatch.setattr(render_module, "render", with_links)
    result = generate_hep(tkr(), "html", config=CONFIG)
    bad = [f for f in result.findings if f.rule == "LK001"]
    assert len(bad) == 1 and "html page's links" in bad[0].message and "cdn.evil.example" in bad[0].message
    assert not result.ready


# -- linear time -------------------------------------------------------------------------------


UNITS = ["a.", "a@", "1-", "(555) ", "http://", "[x](", "a" * 50 + " ", "+1 ", "www.a", "555-010-", "555-1234 ", "[![a](b)](c)"]


def _cost(unit: str, n: int) -> float:
    text = unit * (n // len(unit))
    collecting = gc.isenabled()
    gc.disable()  # the scan's cost, not the cyclic collector's pauses over a big heap
    try:
        t = time.process_time()  # CPU time: other processes on a busy runner do not count
        list(foreign(text, CONFIG.clinic))
        inert_links(text)
        return time.process_time() - t
    finally:
        if collecting:
            gc.enable()


@pytest.mark.parametrize("unit", UNITS)
def test_contact_detection_is_linear(unit):
    _, big = assert_linear(lambda n: _cost(unit, n), 10_000, 100_000, floor=0.005, label=unit)  # 5 ms: timer noise
    assert big < 0.5, (unit, big)  # 100 KB: the default input limit


@pytest.mark.slow
@pytest.mark.parametrize("unit", UNITS)
def test_contact_detection_is_linear_to_1_mb(unit):
    _, big = assert_linear(lambda n: _cost(unit, n), 100_000, 1_000_000, floor=0.01, label=unit)
    assert big < 3.0, (unit, big)
