"""Settings for Followthrough, read from the environment.

Every value comes from one environment variable read through a strict helper: a value
that cannot be understood stops the process at start with a message that names the
variable, instead of surfacing later as a confusing error in a page.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("FT_DATA_DIR") or BASE_DIR.parent / "var")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name, default, *, minimum=None):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name, default_sqlite_path):
    """One variable picks the database: unset means the embedded SQLite file."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return _sqlite(default_sqlite_path)
    scheme = urlsplit(raw).scheme
    if scheme == "sqlite":
        path = raw.split("://", 1)[1]
        if not path:
            raise ImproperlyConfigured(f"{name}: sqlite:// needs a file path, e.g. sqlite:////srv/ft.db")
        return _sqlite(Path(path) if path != ":memory:" else path)
    if scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"{name} must start with postgres:// or sqlite://; got scheme {scheme or 'none'!r}"
        )
    import dj_database_url

    try:
        config = dj_database_url.parse(raw, conn_max_age=env_int("FT_DB_CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a database URL: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} must name a database, e.g. postgres://user@host/followthrough")
    config["CONN_HEALTH_CHECKS"] = True
    return config


def _sqlite(path):
    # IMMEDIATE takes the write lock when a transaction starts, so concurrent writers wait
    # on the busy timeout instead of failing with "database is locked" when they upgrade a
    # read lock mid-transaction. WAL lets readers carry on while one writer works.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=FULL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        },
    }


DEBUG = env_bool("FT_DEBUG", False)
SECRET_KEY = env_str("FT_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and env_bool("FT_REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured("FT_SECRET_KEY must be set in production")
    # A stable development key so demo logins survive restarts; production sets its own.
    SECRET_KEY = "followthrough-insecure-development-key-set-FT_SECRET_KEY-in-production"

ALLOWED_HOSTS = env_list("FT_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("FT_CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("FT_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "followthrough.ui",
    "followthrough.history",
    "followthrough.practice",
    "followthrough.clients",
    "followthrough.meetings",
    "followthrough.commitments",
    "followthrough.engine",
    "followthrough.protocol",
    "followthrough.accounts",
    "followthrough.notifications",
    "followthrough.calendars",
    "followthrough.portal",
    "followthrough.api",
    "followthrough.web",
    "followthrough.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "followthrough.ui.middleware.time_zone_reset",
    "followthrough.api.idempotency.idempotent_api_writes",
]

ROOT_URLCONF = "followthrough.urls"
WSGI_APPLICATION = "followthrough.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "followthrough.ui.context.persona",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", DATA_DIR / "followthrough.sqlite3")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3") and isinstance(DATABASES["default"]["NAME"], Path):
    DATABASES["default"]["NAME"].parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "caseload"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("FT_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("FT_STATIC_ROOT") or DATA_DIR / "static")
# WhiteNoise serves from the app folders (finders) and from STATIC_ROOT once `collectstatic`
# has filled it; it warns on every start when the folder does not exist yet.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the app directories too, so `followthrough serve` needs no collectstatic.
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = env_str("FT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("FT_EMAIL_FILE_PATH") or str(DATA_DIR / "outbox")
EMAIL_HOST = env_str("FT_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("FT_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("FT_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("FT_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("FT_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("FT_DEFAULT_FROM_EMAIL", "Followthrough <followthrough@localhost>")

# How long a practice keeps a client's file after an engagement ends; closing letters say so.
RECORD_RETENTION_YEARS = env_int("FT_RECORD_RETENTION_YEARS", 7, minimum=1)

# Client portal sign-in links: how long a link stays valid, and how often one may be requested.
FT_PORTAL_LINK_HOURS = env_int("FT_PORTAL_LINK_HOURS", 72, minimum=1)
FT_PORTAL_LINK_REQUESTS_PER_HOUR = env_int("FT_PORTAL_LINK_REQUESTS_PER_HOUR", 3, minimum=1)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("FT_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Every API list is paginated with bounded `limit` and `offset`.
NINJA_PAGINATION_CLASS = "followthrough.ui.api.BoundedPagination"
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("FT_LOG_LEVEL", "INFO")},
}
