"""hep-mcp: six-element home exercise programs, checked deterministically."""

__version__ = "0.1.0"
