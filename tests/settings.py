"""The app's settings, with what only a test run needs changed.

Every persona has a password, set at each test's setup: the real hasher is slow on
purpose, and hashing was most of the suite's time. Tests that are about hashing itself
ask for the real hasher with `settings.PASSWORD_HASHERS`.
"""

import os
import tempfile
from pathlib import Path

# The settings refuse to start without a secret key (or with the public development one).
os.environ.setdefault("FT_SECRET_KEY", "tests-only-" + "k" * 60)
os.environ.setdefault("FT_DATA_KEY", "tests-only-data-" + "d" * 60)
# Erasures made by tests go to a ledger of the run's own, never the checkout's var/.
os.environ.setdefault(
    "FT_ERASURE_LEDGER", str(Path(tempfile.mkdtemp(prefix="followthrough-tests-")) / "erasure-ledger"))

from followthrough.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
