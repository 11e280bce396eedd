"""hep-mcp render CASE.yaml --format FMT : render a structured HEP for a channel and check it."""

from __future__ import annotations

import sys

FORMATS = ("print", "html", "html_large", "sms", "portal", "caregiver", "caregiver_html", "fhir")  # hep_mcp.render.ALL_FORMATS (kept light to import)
LANGUAGES = ("en", "es")  # hep_mcp.lang.languages() (tests/test_render_es.py keeps them equal)


def register(sub) -> None:
    p = sub.add_parser(
        "render",
        help="render a structured HEP (YAML/JSON) for the patient's channel and check it",
        description=(
            "Render the therapist's six-element HEP (or a fixture case's input:) as a print handout, "
            "a large-print HTML page (html 14 pt, html_large 16 pt), the text-message set (a plan of at "
            "most 3 messages, the warning signs, a daily reminder), a portal message or a caregiver "
            "sheet (caregiver, printable caregiver_html), or a FHIR R4 bundle for the EHR (fhir), then check the rendered text. The clinic's "
            "contact block and phone come from --config (clinic:). The text goes to stdout (or -o FILE), findings to stderr. "
            "Exit 0: ready; 1: error findings (the draft is still printed); 2: bad input."
        ),
    )
    p.add_argument("path", metavar="CASE", help="structured HEP or case file (.yaml .yml .json)")
    p.add_argument("--format", dest="fmt", choices=FORMATS, default="print")
    p.add_argument("-o", "--output", metavar="FILE", help="write the rendered text to FILE instead of stdout")
    p.add_argument("--config", metavar="FILE", help="clinic config (YAML)")
    p.add_argument(
        "--language", choices=LANGUAGES,
        help="the handout's language (the HEP's language field; default: the file's, else en). "
        "The fixed text is printed in it; the therapist's fields are printed as written.",
    )
    p.add_argument("--patient", metavar="REF", help="fhir only: the EHR's patient reference, e.g. Patient/123 (default: a first-name placeholder)")
    p.set_defaults(run=run)


def run(args) -> int:
    from hep_mcp.cli.common import error, load_case_input, load_config_or_none, write_output
    from hep_mcp.errors import InputError
    from hep_mcp.render import generate_hep
    from hep_mcp.reporters import finding_line

    config, code = load_config_or_none(args.config)
    if config is None:
        return code
    try:
        data, source = load_case_input(args.path, config)
        if args.language and isinstance(data, dict):
            data = {**data, "language": args.language}
        result = generate_hep(data, args.fmt, config=config, source=source, patient=args.patient)
    except InputError as exc:
        error(str(exc))
        return 2
    code = write_output(result.text, args.output)
    if code:
        return code
    shown = args.output if args.output and args.output != "-" else f"<{args.fmt}>"
    for f in result.findings:
        print(finding_line(shown, f), file=sys.stderr)
    return 0 if result.ready else 1
