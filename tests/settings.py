"""Settings for the test suite: kofo's settings with debug on (no production secret needed)."""

import os

os.environ.setdefault("KOFO_DEBUG", "1")

from kofo.settings import *  # noqa: F403

# Argon2 costs ~0.3 s per user on the CI machine; tests that check the production hasher set it themselves.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
