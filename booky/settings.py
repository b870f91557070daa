"""Booky settings: every deployment knob comes from the environment, with safe local defaults.

With no configuration at all the app runs on SQLite with in-process tasks and a local-memory cache.
Production sets DEBUG=0 (the default), SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from booky.core import media_storage

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules or env_bool("BOOKY_TESTING")
DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if DEBUG or TESTING:
    SECRET_KEY = SECRET_KEY or "insecure-local-development-key-do-not-use-in-production-0123456789"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]", "testserver"]
else:
    missing = [
        name for name, value in (("SECRET_KEY", SECRET_KEY), ("ALLOWED_HOSTS", ALLOWED_HOSTS)) if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            f"Booky refuses to start: {', '.join(missing)} must be set when DEBUG is off. "
            "Set them in the environment (see .env.example), or set DEBUG=1 for local development."
        )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "booky.core.error_pages.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks_db",
    "booky",
    "booky.site",
    "social",
    "clubs",
    "books",
    "meetings",
    "bets",
]

MIDDLEWARE = [
    # Outermost: request latency and queries per request for /metrics (booky/core/metrics.py).
    "booky.core.metrics.RequestMetricsMiddleware",
    "booky.core.request_log.RequestLogMiddleware",
    # Reads several parts of a page ask for, once per request (booky/core/request_memo.py).
    "booky.core.request_memo.RequestMemoMiddleware",
    # Database unreachable: 503 + Retry-After instead of 500 (booky/core/outages.py).
    "booky.core.outages.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "booky.core.middleware.RejectNulBytesMiddleware",
    "booky.core.request_bodies.RejectMalformedBodiesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML, JSON and calendars gzip-compressed for clients that accept it (booky/core/compression.py).
    # After WhiteNoise, which serves static files precompressed itself; before everything that writes
    # the body. BREACH (reading a secret off compressed sizes): the CSRF token in every page is masked
    # afresh per response by Django, the standard mitigation, and Django's gzip adds random padding to
    # each stream ("Heal the Breach"), which also covers the other secrets a page may show (a calendar
    # link, an invite code).
    "booky.core.compression.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Reads from a read replica unless the request writes or just wrote (booky/core/replicas.py).
    "booky.core.replicas.ReplicaReadsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "booky.core.site_url.RequestSiteUrlMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Pages run and render in the viewer's time zone; the API stays in UTC (booky/core/timezones.py).
    "booky.core.timezones.ViewerTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "booky.core.htmx.HtmxMiddleware",  # django-htmx's, and it sets Vary: HX-Request
    "allauth.account.middleware.AccountMiddleware",
    # Last: serves a page stored for this viewer while no write has committed (booky/core/page_cache.py).
    "booky.core.page_cache.PageCacheMiddleware",
]

ROOT_URLCONF = "booky.urls"
WSGI_APPLICATION = "booky.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
            "builtins": ["django_htmx.templatetags.django_htmx", "booky.templatetags.booky_time"],
        },
    },
]

# Database: SQLite by default; DATABASE_URL (postgres://...) in production and CI.
SQLITE_PATH = os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
SQLITE_TEST_PATH = os.environ.get("SQLITE_TEST_PATH", "")  # default: an in-memory test database
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            # WAL + IMMEDIATE transactions + a busy timeout let the web server and the task worker
            # share one SQLite file without "database is locked" errors.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": {"NAME": SQLITE_TEST_PATH} if SQLITE_TEST_PATH else {},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Read replicas: DATABASE_REPLICA_URLS (comma-separated postgres:// URLs) adds them as replica_0,
# replica_1, ... Web requests read from a healthy one; writes, transactions, tasks and a browser's
# requests for REPLICA_PIN_SECONDS after it wrote use the primary (booky/core/db_router.py). A replica
# more than REPLICA_MAX_LAG_SECONDS behind, or down, is skipped; its health is checked at most every
# REPLICA_CHECK_SECONDS per process (booky/core/replica_health.py).
REPLICA_ALIASES = []
for _index, _url in enumerate(env_list("DATABASE_REPLICA_URLS")):
    _replica = dj_database_url.parse(
        _url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")), conn_health_checks=True
    )
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS must be postgres:// URLs.")
    # Django's PostgreSQL backend, reporting a replica's failures so the request retries on the primary.
    _replica["ENGINE"] = "booky.core.replica_postgresql"
    # A replica that does not answer costs a request this long before it falls back, not forever.
    _replica["OPTIONS"] = {"connect_timeout": 2, **_replica.get("OPTIONS", {})}
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_index}"] = _replica
    REPLICA_ALIASES.append(f"replica_{_index}")
DATABASE_ROUTERS = ["booky.core.db_router.ReplicaRouter"] if REPLICA_ALIASES else []
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "") or 5)
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "") or 2)
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "") or 10)

# Cache: Redis when REDIS_URL is set, otherwise in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions are read from Redis, written through to the database: one query less on every signed-in
    # request. Only with a shared cache: an in-process cache per worker would keep a session another
    # worker ended (a logout) alive.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Rendered pages per viewer, served again while no write has committed and for at most this many
# seconds (booky/core/page_cache.py). On by default only with the shared cache: a per-process one
# could not learn of a write made by the task worker. Setting it without Redis is for one process
# (the PostgreSQL test run does, so the whole suite also runs against stored pages).
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "30" if REDIS_URL else "0") or 0)

# Background work: immediate in tests (and when asked), a database queue served by `make worker` otherwise.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate" if TESTING else "database")
if TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTH_USER_MODEL = "social.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-allauth
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_LOGOUT_ON_GET = False
# allauth's rate limits stay at their defaults (on), also for the admin login below.
ACCOUNT_FORMS = {
    "signup": "social.forms.SignupForm",
    "login": "social.forms.LoginForm",
    "add_email": "social.forms.AddEmailForm",
}
ACCOUNT_ADAPTER = "social.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Booky] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
HEADLESS_CLIENTS = ("app",)
HEADLESS_TOKEN_STRATEGY = "allauth.headless.tokens.strategies.jwt.strategy.JWTTokenStrategy"
HEADLESS_JWT_PRIVATE_KEY = os.environ.get("JWT_PRIVATE_KEY", "").replace("\\n", "\n")
# RS256 with a configured key pair; otherwise HS256 signed with SECRET_KEY.
HEADLESS_JWT_ALGORITHM = "RS256" if HEADLESS_JWT_PRIVATE_KEY else "HS256"
HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN = int(os.environ.get("JWT_ACCESS_TOKEN_EXPIRES_IN", "300"))
HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN = int(os.environ.get("JWT_REFRESH_TOKEN_EXPIRES_IN", "86400"))
HEADLESS_JWT_STATEFUL_VALIDATION_ENABLED = True  # logging out invalidates outstanding access tokens
HEADLESS_SERVE_SPECIFICATION = False

# Mail: Django 6.1 MAILERS. Console in development; SMTP in production, to SMTP_HOST or else to an MTA
# on localhost:25 (a console backend would silently drop every mail, and `check --deploy` rejects it).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Booky <noreply@booky.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in notification emails, which the worker sends after the request has gone: SITE_URL when set,
# else the host of the request that caused the email (booky.core.site_url), else SITE_URL_DEFAULT.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
SITE_URL_DEFAULT = (
    "http://localhost:8000" if DEBUG or TESTING else f"https://{ALLOWED_HOSTS[0].lstrip('.*') or 'localhost'}"
)
SMTP_HOST = os.environ.get("SMTP_HOST", "")
if SMTP_HOST or not (DEBUG or TESTING):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST or "localhost",
                "port": int(os.environ.get("SMTP_PORT", "587" if SMTP_HOST else "25")),
                "username": os.environ.get("SMTP_USERNAME", ""),
                "password": os.environ.get("SMTP_PASSWORD", ""),
                "use_tls": env_bool("SMTP_USE_TLS", bool(SMTP_HOST)),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Django REST framework
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "allauth.headless.contrib.rest_framework.authentication.JWTTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "booky.core.api.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "booky.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "booky.core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": ["booky.core.parsers.JSONParser", "rest_framework.parsers.FormParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# The docs page's introduction: how to get, use and refresh a token, with the lifetimes configured here.
API_INTRO = (
    (BASE_DIR / "booky" / "api_intro.md")
    .read_text(encoding="utf-8")
    .replace("{access_minutes}", f"{HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN / 60:g}")
    .replace("{refresh_hours}", f"{HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN / 3600:g}")
)
SPECTACULAR_SETTINGS = {
    "TITLE": "Booky API",
    "DESCRIPTION": API_INTRO,
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "NotificationKindEnum": "social.models.NotificationKind",
        "PostStatusEnum": "meetings.discussion.models.PostStatus",
        "ReportStatusEnum": "meetings.discussion.models.ReportStatus",
        "ReactionKindEnum": "meetings.discussion.models.ReactionKind",
    },
}

# Internationalization
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files: our own files, served by whitenoise. Nothing from a CDN.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
# Uploaded media (avatars): on the local disk under MEDIA_ROOT, served by Django at MEDIA_URL; or, with
# MEDIA_BUCKET, in S3-compatible object storage, which serves them itself (booky/core/media_storage.py).
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_IN_OBJECT_STORAGE = media_storage.uses_object_storage(os.environ)
SERVE_MEDIA = env_bool("SERVE_MEDIA", True) and not MEDIA_IN_OBJECT_STORAGE
STORAGES = {
    "default": media_storage.default_storage(os.environ),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if (DEBUG or TESTING)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Security. Production defaults are strict; DEBUG relaxes what needs HTTPS.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    # Book covers come from Google's and Open Library's image hosts, avatars from the media bucket
    # (when MEDIA_BUCKET is set); nothing else external is allowed.
    "img-src": [
        CSP.SELF,
        "data:",
        "https://books.google.com",
        "https://books.googleusercontent.com",
        "https://covers.openlibrary.org",
        # Avatars, when they live in object storage.
        *media_storage.media_origins(os.environ),
    ],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Logging: one line per request (JSON when LOG_JSON=1).
LOG_JSON = env_bool("LOG_JSON")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "booky.core.request_log.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json" if LOG_JSON else "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},  # our own request log replaces runserver's
        "django.request": {"level": "ERROR"},
    },
}

# /metrics (Prometheus text format) answers only a scraper sending "Authorization: Bearer METRICS_TOKEN";
# without a token it does not exist. docs/operations.md lists the metrics.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

# Error reports to Sentry (or a Sentry-compatible service) when SENTRY_DSN is set; no personal data.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from booky.core.error_reports import error_reports_start

    error_reports_start(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "development" if DEBUG else "production"),
        release=os.environ.get("SENTRY_RELEASE", "") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
    )

# Google Books: reached only when configured and reachable; the local catalog answers otherwise.
GOOGLE_BOOKS_URL = os.environ.get("GOOGLE_BOOKS_URL", "https://www.googleapis.com/books/v1/volumes")
GOOGLE_BOOKS_API_KEY = os.environ.get("GOOGLE_BOOKS_API_KEY", "")
# Off (empty) means "not configured": search uses the local catalog only.
GOOGLE_BOOKS_ENABLED = env_bool("GOOGLE_BOOKS_ENABLED", not TESTING)
# Open Library: a second source beside Google Books, off in tests like it (tests use a fake server).
OPEN_LIBRARY_ENABLED = env_bool("OPEN_LIBRARY_ENABLED", not TESTING)
OPEN_LIBRARY_URL = os.environ.get("OPEN_LIBRARY_URL", "https://openlibrary.org")
# Sent in the User-Agent of every request to Open Library, which asks its API users to be reachable.
BOOKY_CONTACT_EMAIL = os.environ.get("BOOKY_CONTACT_EMAIL", "admin@booky.local")
RATELIMIT_USE_CACHE = "default"
# How many reverse proxies (that append to X-Forwarded-For) stand in front of Booky. 0: trust only
# REMOTE_ADDR. N > 0: the client is the N-th address from the right of X-Forwarded-For (rate limits).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0") or 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
# Every rate limit (ours through django-ratelimit, allauth's logins) keys on the same client address.
RATELIMIT_IP_META_KEY = "books.ratelimit.client_ip"
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

BOOKY_DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "booky-demo-2026")
