"""The ``nianbao`` command line: one click group, its commands in modules by what they work on.

Known errors become ``Error: …`` and exit code 1; usage errors 2. Only the command line turns errors
into messages; everything below it raises.
"""

from . import checking, data, published, rendering, season, status  # noqa: F401 — each registers its commands on the group
from .group import main

__all__ = ["main"]
