"""Settings for Followthrough, read from the environment.

Every value comes from one environment variable read through a strict helper: a value
that cannot be understood stops the process at start with a message that names the
variable, instead of surfacing later as a confusing error in a page.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF
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


def env_email_address(name):
    """A bare address (local@domain) or nothing; "+" is taken, it carries the reply's token."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ""
    local, at, domain = raw.rpartition("@")
    if not at or not local or "." not in domain or "+" in local or any(c in raw for c in " <>,;\"'"):
        raise ImproperlyConfigured(
            f"{name} must be a plain address like replies@practice.example, without '+'; got {raw!r}")
    return f"{local}@{domain.lower()}"


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
# The public key in this file signs nothing anyone should trust: with it, anyone can forge
# a session or a sign-in link. It is only accepted with FT_DEBUG=1.
DEVELOPMENT_SECRET_KEY = "followthrough-insecure-development-key-set-FT_SECRET_KEY-in-production"  # noqa: S105 - the public key refused outside FT_DEBUG=1; the name says so


def env_key(name, *, debug, development_key, kept="", min_length=None):
    """A key from `name`, else the file `name`_FILE names (`scripts/bootstrap` makes
    var/<key name> for a checkout), else the public development key under FT_DEBUG=1 only."""
    key = env_str(name).strip()
    key_file = env_str(f"{name}_FILE").strip()
    default_file = DATA_DIR / name.removeprefix("FT_").lower().replace("_", "-")
    if not key and (key_file or default_file.exists()):
        path = Path(key_file) if key_file else default_file
        try:
            key = path.read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc.strerror}") from None
        if not key:
            raise ImproperlyConfigured(f"{name}_FILE: {path} is empty")
    if key == development_key and not debug:
        raise ImproperlyConfigured(f"{name} is the public development key; set a secret one")
    if key and min_length is not None and len(key) < min_length:
        raise ImproperlyConfigured(f"{name} must be at least {min_length} characters long; got {len(key)}")
    if key:
        return key
    if debug:
        return development_key
    raise ImproperlyConfigured(
        f"{name} is not set. Set it (or {name}_FILE) to a long random value{kept}, e.g. "
        "the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'. "
        "For local development only, FT_DEBUG=1 uses a public development key."
    )


SECRET_KEY = env_key("FT_SECRET_KEY", debug=DEBUG, development_key=DEVELOPMENT_SECRET_KEY)

ALLOWED_HOSTS = env_list("FT_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("FT_CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("FT_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # The admin site sits behind the app's own login and second factor.
    "followthrough.accounts.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
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
    "followthrough.transfer",
    "followthrough.api",
    "followthrough.web",
    "followthrough.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "followthrough.ui.middleware.security_headers",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "followthrough.accounts.middleware.session_guard",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "followthrough.ui.middleware.time_zone_reset",
    "followthrough.api.idempotency.idempotent_api_writes",
    # Last, so a locked-out sign-in is answered with the lockout page.
    "axes.middleware.AxesMiddleware",
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

# Length over composition (NIST SP 800-63B): a long passphrase beats "Coaching1!", so
# no rule asks for digits or symbols; short, all-digit and well-known passwords are refused.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env_int("FT_PASSWORD_MIN_LENGTH", 12, minimum=8)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "followthrough.accounts.passwords.ContextWordsValidator"},
]
# Axes first: a locked-out account is refused before its password is even checked.
AUTHENTICATION_BACKENDS = [
    "followthrough.accounts.throttle.ThrottledBackend",
    "followthrough.accounts.backends.AccountBackend",
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

# The mailbox clients' replies go to (`followthrough inbox` reads it): reminders and meeting
# check invitations carry Reply-To replies+<signed token>@domain. Unset: no such Reply-To.
FT_REPLY_ADDRESS = env_email_address("FT_REPLY_ADDRESS")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("FT_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A sign-in lasts at most this long, whatever the activity; idleness ends it sooner
# (accounts.middleware.session_guard): coaches hold many clients' files, so their limit is short.
SESSION_COOKIE_AGE = env_int("FT_SESSION_MAX_HOURS", 12, minimum=1) * 3600
FT_SESSION_IDLE_MINUTES = env_int("FT_SESSION_IDLE_MINUTES", 30, minimum=1)
FT_PORTAL_SESSION_IDLE_MINUTES = env_int("FT_PORTAL_SESSION_IDLE_MINUTES", 120, minimum=1)

# Behind a TLS proxy: trust its X-Forwarded-Proto (only when the proxy sets it and the app is
# reachable through the proxy alone), and how many proxies put addresses in X-Forwarded-For.
if env_bool("FT_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
FT_TRUSTED_PROXIES = env_int("FT_TRUSTED_PROXIES", 0, minimum=0)
SECURE_SSL_REDIRECT = env_bool("FT_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("FT_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FT_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("FT_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Everything the pages load is vendored and served from here: no inline script or style,
# no other origin. The follow-through chart's SVG carries its own <style>, allowed by nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
                      "microphone=(), payment=(), usb=(), interest-cohort=()")

# Sign-in throttling (django-axes): after this many failures an account, and separately
# an address, waits the cool-off out; a correct password does not get through meanwhile.
AXES_FAILURE_LIMIT = env_int("FT_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("FT_LOGIN_LOCKOUT_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "followthrough.accounts.throttle.locked_out"
AXES_CLIENT_IP_CALLABLE = "followthrough.accounts.throttle.client_ip"
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token", "code"]
# Client portal: sign-in link requests from one address per hour, whatever the email typed.
FT_PORTAL_LINK_REQUESTS_PER_IP_PER_HOUR = env_int("FT_PORTAL_LINK_REQUESTS_PER_IP_PER_HOUR", 10, minimum=1)
# The name authenticator apps show beside a coach's code.
OTP_TOTP_ISSUER = env_str("FT_TOTP_ISSUER", "Followthrough")

# The event log's head is signed with this key (HMAC-SHA256), kept outside the database, so
# someone who can rewrite the database cannot rewrite the log's head without it showing.
FT_LOG_SIGNING_KEY = env_str("FT_LOG_SIGNING_KEY")

# The key that wraps each client's own key (history.sealing), kept outside the database:
# personal fields in the event log are sealed under the client's key, and erasure destroys
# that key. A dump of the database without this key opens nothing. Losing it loses every
# sealed field, so it is backed up with the server's configuration, apart from the database.
DEVELOPMENT_DATA_KEY = "followthrough-insecure-development-data-key-set-FT_DATA_KEY-in-production"  # noqa: S105 - the public key refused outside FT_DEBUG=1; the name says so


DATA_KEY_MIN_LENGTH = 32
FT_DATA_KEY = env_key("FT_DATA_KEY", debug=DEBUG, development_key=DEVELOPMENT_DATA_KEY,
                      kept=" kept apart from the database", min_length=DATA_KEY_MIN_LENGTH)
# One line per erased client, outside the database: `restore` erases them again in a backup
# taken before their erasure, and `verify` warns when one of them has a key again.
FT_ERASURE_LEDGER = Path(env_str("FT_ERASURE_LEDGER") or DATA_DIR / "erasure-ledger")

# Every API list is paginated with bounded `limit` and `offset`.
NINJA_PAGINATION_CLASS = "followthrough.ui.api.BoundedPagination"
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("FT_LOG_LEVEL", "INFO")},
    # axes logs every sign-in at INFO; lockouts are logged by followthrough.security as warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}
