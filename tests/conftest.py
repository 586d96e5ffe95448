"""Shared test settings: deterministic and light on the 2-core CI machine."""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
