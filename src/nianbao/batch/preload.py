"""What the fork server of a batch's workers loads once, for every worker and kernel forked after it.

Importing this module imports the libraries a worker renders with (papermill, nbconvert, pandas,
matplotlib …) and those its kernels run with (ipykernel, the report's modules), draws one chart
so that the fonts are loaded and writes one small table so that its template is compiled: each
worker, each worker's kernel template and each kernel then starts with them, in memory shared with
the fork server, instead of loading them again.
"""

import gc
import sys

# jsonschema (which nbformat validates notebooks with) imports the optional rfc3987_syntax, if installed,
# to check IRI formats — and that module builds its grammar on import: 1.7 s of every batch's start,
# before any worker can begin. No schema of nbformat's has an IRI format, so here it is not imported.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import nianbao.render  # noqa: E402, F401

from ..present import warm_up  # noqa: E402
from .kernels import preload  # noqa: E402

preload()
warm_up()
gc.freeze()  # what is loaded here, left alone by the collections of every process forked after it
