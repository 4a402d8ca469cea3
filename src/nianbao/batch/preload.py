"""What the fork server of a batch's workers loads once, for every worker and kernel forked after it.

Importing this module imports the libraries a worker renders with (papermill, nbconvert, pandas,
matplotlib …) and those its kernels run with (ipykernel, the report's modules), and draws one
chart so that the fonts are loaded: each worker, each worker's kernel template and each kernel
then starts with them, in memory shared with the fork server, instead of loading them again.
"""

import importlib

import nianbao.render  # noqa: F401

from ..charts import warm_up
from .kernels import PRELOAD

for _name in PRELOAD:
    importlib.import_module(_name)
warm_up()
