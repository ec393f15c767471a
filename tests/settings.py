"""Settings for the test suite: kofo's settings with debug on (no production secret needed)."""

import os

os.environ.setdefault("KOFO_DEBUG", "1")

from kofo.settings import *  # noqa: F403
