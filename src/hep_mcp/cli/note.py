"""hep-mcp note CASE.yaml : render a progress report from structured input and check it."""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser(
        "note",
        help="render a progress note from structured input (YAML/JSON) and check it",
        description=(
            "Render a progress report (Markdown, plain text for pasting into an EHR, or a FHIR R4 bundle) from a structured "
            "note or a fixture case (its input:), then check it with the note rules. Findings go to stderr. "
            "Exit 0: ready; 1: error findings; 2: bad input."
        ),
    )
    p.add_argument("path", metavar="CASE", help="structured note or case file (.yaml .yml .json)")
    p.add_argument("--format", dest="fmt", choices=("markdown", "text", "fhir"), default="markdown")
    p.add_argument("-o", "--output", metavar="FILE", help="write the note to FILE instead of stdout")
    p.add_argument(
        "--log",
        metavar="FILE",
        help="adherence log from the clinic channel: CSV (a date column) or a JSON list of dates; replaces adherence.log",
    )
    p.add_argument("--config", metavar="FILE", help="clinic config (YAML)")
    p.add_argument("--patient", metavar="REF", help="fhir only: the EHR's patient reference, e.g. Patient/123 (default: a first-name placeholder)")
    p.set_defaults(run=run)


def run(args) -> int:
    from hep_mcp.cli.common import error, load_case_input, load_config_or_none, write_output
    from hep_mcp.errors import InputError
    from hep_mcp.note import progress_note
    from hep_mcp.note.log import parse_log
    from hep_mcp.reporters import finding_line
    from hep_mcp.textio import read_text_file

    config, code = load_config_or_none(args.config)
    if config is None:
        return code
    try:
        data, source = load_case_input(args.path, config)
        if not isinstance(data, dict):
            raise InputError(f"{source}: expected a mapping with the progress note fields (patient, period, measures, ...)")
        if args.log:
            dates = parse_log(read_text_file(args.log, config.max_input_bytes), args.log)
            adherence = dict(data.get("adherence") or {})
            for key in ("scheduled", "completed"):
                adherence.pop(key, None)
            data = {**data, "adherence": {**adherence, "log": dates}}
        result = progress_note(data, fmt=args.fmt, config=config, source=source, patient=args.patient)
    except InputError as exc:
        error(str(exc))
        return 2
    code = write_output(result.text, args.output)
    if code:
        return code
    for f in result.findings:
        print(finding_line(args.output or "note", f), file=sys.stderr)
    return 0 if result.ready else 1
