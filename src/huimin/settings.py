"""Django settings. Everything that differs between deployments comes from the environment (docs/deploy.md)."""

import ipaddress
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("HUIMIN_VAR_DIR", Path.cwd() / "var"))


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


def _dev_secret(name: str, size: int) -> str:
    """A per-checkout secret kept under var/ for the demo and tests; production must set the variable."""
    import base64
    import secrets

    path = VAR_DIR / f".{name}"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.b64encode(secrets.token_bytes(size)).decode())
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = _env_bool("HUIMIN_DEBUG")
PRODUCTION = _env_bool("HUIMIN_PRODUCTION")

if PRODUCTION:
    SECRET_KEY = os.environ["HUIMIN_SECRET_KEY"]
    # "kid:base64key,kid:base64key" — the first key encrypts, all of them decrypt.
    HUIMIN_FIELD_KEYS = os.environ["HUIMIN_FIELD_KEYS"]
    HUIMIN_BLIND_INDEX_KEY = os.environ["HUIMIN_BLIND_INDEX_KEY"]
else:
    SECRET_KEY = os.environ.get("HUIMIN_SECRET_KEY") or _dev_secret("secret_key", 48)
    HUIMIN_FIELD_KEYS = os.environ.get("HUIMIN_FIELD_KEYS") or "dev1:" + _dev_secret("field_key", 16)
    HUIMIN_BLIND_INDEX_KEY = os.environ.get("HUIMIN_BLIND_INDEX_KEY") or _dev_secret("blind_index_key", 32)

ALLOWED_HOSTS = [h for h in os.environ.get("HUIMIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("HUIMIN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_htmx",
    "huimin.core",  # before django_tasks_db: its db_worker command beats a heartbeat (core.workers)
    "django_tasks",
    "django_tasks_db",
    "huimin.registry",
    "huimin.demo",
    "huimin.assistance",
    "huimin.verification",
    "huimin.apiclients",
    "huimin.portal",
    "huimin.benefits",
    "huimin.monitoring",
    "huimin.eligibility",
    "huimin.elderly",
    "huimin.marriage",
    "huimin.orgs",
    "huimin.supervision",
    "huimin.eldercare",
    "huimin.homecare",
    "huimin.funeral",
    "huimin.places",
    "huimin.children",
    "huimin.relief",
    "huimin.stats",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "huimin.core.staticfiles.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "huimin.core.sessions.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "huimin.core.uploads.RequestSizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "huimin.core.middleware.RequestContextMiddleware",
    "huimin.core.middleware.ForcePasswordChangeMiddleware",
    "huimin.core.middleware.DataErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "huimin.urls"
WSGI_APPLICATION = "huimin.wsgi.application"

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
                "huimin.core.context_processors.shell",
            ],
            "builtins": ["huimin.core.templatetags.id_urls"],
        },
    }
]
# Form widgets through Django's own Jinja2 widget templates: the same markup at half the cost of rendering each
# widget and option through the Django template engine (a list page's search form, ~1 ms a page)
FORM_RENDERER = "django.forms.renderers.Jinja2"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'demo.sqlite3'}"),
        conn_max_age=int(os.environ.get("HUIMIN_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL and a busy timeout let the demo server and a background import share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT compiles any statement whose estimated cost is high — a count over a county's index range
    # at 10,000,000 persons — for 20–50 ms of CPU, more than such a statement takes to run (docs/decisions.md)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "huimin.core.sessions.UserBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("HUIMIN_PASSWORD_MIN_LENGTH", "10"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "huimin.core.passwords.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failures (django-axes), keyed on the account AND the address together: failures from one
# address lock that account from that address only, so nobody can lock a colleague out from elsewhere, and a whole
# office behind one NAT address is not locked out because one account was guessed at.
AXES_FAILURE_LIMIT = int(os.environ.get("HUIMIN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("HUIMIN_LOCKOUT_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "huimin.core.middleware.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

# /api/docs and /api/openapi.json: open to anyone outside production, behind login in production unless set.
HUIMIN_API_DOCS_PUBLIC = _env_bool("HUIMIN_API_DOCS_PUBLIC", default=not PRODUCTION)

# The reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed; from any other
# peer the header is ignored and the connection's address is the client's (huimin.core.middleware.client_ip).
# A malformed entry stops the start (ValueError naming it) rather than silently trusting nothing.
HUIMIN_TRUSTED_PROXIES = [
    ipaddress.ip_network(p.strip(), strict=False)
    for p in os.environ.get("HUIMIN_TRUSTED_PROXIES", "").split(",")
    if p.strip()
]

# Idle sessions end after HUIMIN_IDLE_MINUTES without a request.
SESSION_COOKIE_AGE = int(os.environ.get("HUIMIN_IDLE_MINUTES", "30")) * 60
# written at most once a minute while in use, not on every request (huimin.core.sessions)
SESSION_SAVE_EVERY_REQUEST = False
HUIMIN_SESSION_TOUCH_SECONDS = int(os.environ.get("HUIMIN_SESSION_TOUCH_SECONDS", "60"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_FAILURE_VIEW = "huimin.core.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from our own static files — no inline script, no
# event-handler attributes, no eval, no inline style attribute or <style> element (widths are classes in
# huimin.css; sizes computed on the page are set through the DOM). data: images are Bootstrap's and Swagger UI's
# SVG icons inside their CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if PRODUCTION:
    # Browsers that once reached the site over HTTPS never try plain HTTP again (HSTS, a year by default). The
    # header goes out on secure requests only: behind the TLS-terminating proxy Django learns that a request was
    # HTTPS from X-Forwarded-Proto, which the proxy must set (overwriting what the client sent).
    SECURE_HSTS_SECONDS = int(os.environ.get("HUIMIN_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("HUIMIN_HSTS_INCLUDE_SUBDOMAINS")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("HUIMIN_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = os.environ.get("HUIMIN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # the shell's CSS and the npm-installed vendor files
STATIC_ROOT = Path(os.environ.get("HUIMIN_STATIC_ROOT", Path.cwd() / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("HUIMIN_MEDIA_ROOT", VAR_DIR / "media"))
# a checked 台账 upload not confirmed within this many hours expires: its file (personal data in clear) is deleted
HUIMIN_IMPORT_KEEP_HOURS = float(os.environ.get("HUIMIN_IMPORT_KEEP_HOURS", "24"))
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# API rate limits count in the cache: locmem (the default) counts per process; production with several workers
# sets HUIMIN_REDIS_URL (e.g. redis://127.0.0.1:6379/1; needs the "redis" extra) so all workers share a count.
if os.environ.get("HUIMIN_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["HUIMIN_REDIS_URL"],
        }
    }

# The resident portal's text messages: a dotted path to a huimin.portal.sms.SmsGateway subclass. The console
# gateway only logs the message (development); production names the bureau's SMS platform adapter.
HUIMIN_SMS_GATEWAY = os.environ.get("HUIMIN_SMS_GATEWAY", "huimin.portal.sms.ConsoleSmsGateway")
# The demo (make demo / make serve) shows the portal's text-message code on the page under a 演示环境 notice, since
# no message is really sent; never in production, whatever the environment says.
HUIMIN_DEMO_SMS_ON_PAGE = _env_bool("HUIMIN_DEMO_SMS_ON_PAGE") and not PRODUCTION

# A 核对 batch run 运行中 on another host that has made no progress for this long is closed as 中断 (on the same
# host a run whose process is gone is closed at once).
HUIMIN_BATCH_STALE_MINUTES = int(os.environ.get("HUIMIN_BATCH_STALE_MINUTES", "60"))
# The batch engine's DuckDB: the most memory it may use (beyond it, joins and aggregations spill to the temporary
# directory) — docs/scale-out.md
HUIMIN_ENGINE_MEMORY_LIMIT = os.environ.get("HUIMIN_ENGINE_MEMORY_LIMIT", "8GB")
HUIMIN_ENGINE_TEMP_DIR = Path(os.environ.get("HUIMIN_ENGINE_TEMP_DIR", VAR_DIR / "engine" / "tmp"))
# Departmental snapshots kept partitioned by county (every channel's default; the 部门数据 page's checkbox opens
# with it): a county-by-county 核对 batch then reads only its county's files — docs/scale-out.md
HUIMIN_SNAPSHOTS_BY_COUNTY = _env_bool("HUIMIN_SNAPSHOTS_BY_COUNTY")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HUIMIN_LOG_LEVEL", "WARNING")},
}
