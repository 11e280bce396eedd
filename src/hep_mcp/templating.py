"""The one way hep-mcp builds a Jinja2 environment for its template files.

Sandboxed (template code cannot reach Python internals), ``StrictUndefined`` (a missing
variable is an error, never a blank), whitespace kept as written. Text from the input is
always data passed to a template, never template source.
"""

from __future__ import annotations

from jinja2 import BaseLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment


def sandboxed(loader: BaseLoader, autoescape=False) -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        loader=loader,
        autoescape=autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
