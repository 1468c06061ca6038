"""The app's settings, with what only a test run needs changed.

Every persona has a password, set at each test's setup: the real hasher is slow on
purpose, and hashing was most of the suite's time. Tests that are about hashing itself
ask for the real hasher with `settings.PASSWORD_HASHERS`.
"""

from followthrough.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
