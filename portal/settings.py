"""Candor settings: one module, driven by environment variables.

Every variable is listed with its default in README.md ("Environment").
The embedded default needs no server: SQLite files and a filesystem broker
under var/. Set DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis) to
run at scale.
"""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env.str("CANDOR_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# ---------------------------------------------------------------------------
# Core
# https://docs.djangoproject.com/en/5.2/ref/settings/#core-settings
# ---------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The embedded default runs on a laptop; production must set its own key.
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY", default="candor-embedded-default-key-change-me-in-production"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    # The admin, with the officers' ordering (apps.reports.admin_site).
    "apps.reports.admin_site.CandorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    # The rights API (docs/rights.md): REST framework, its tokens, the schema.
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "apps.people",
    "apps.catalog",
    "apps.stores",
    "apps.audit",
    "apps.governance",
    "apps.consent",
    "apps.rights",
    "apps.telemetry",
    "apps.reports",
    # Sessions, headers, deployment checks (docs/security.md).
    "csp",
    "apps.security",
    # Sign-in: single sign-on, two-factor, throttling (docs/accounts.md).
    "apps.accounts",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mozilla_django_oidc",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files stay cacheable: no-store on every
    # answer of the application, then the CSP header on every page.
    "apps.security.middleware.NoStoreMiddleware",
    "apps.security.middleware.CandorCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The verified device is read right after the signed-in user.
    "django_otp.middleware.OTPMiddleware",
    # An expired session ends before anything else acts on it; then every
    # view is private unless marked @login_not_required; then staff who have
    # not passed their second factor reach only the two-factor pages.
    "apps.security.middleware.SessionLimitsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "apps.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a lockout into the lockout page, last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

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
                "django.template.context_processors.i18n",
                "apps.governance.context_processors.role_capabilities",
            ],
        },
    },
]

# ---------------------------------------------------------------------------
# Databases
# "default" holds the portal; "telemetry" is the demo monitoring system that
# stands in for a company's real stores. The portal reaches it only through
# store connectors (apps/stores), never through the ORM.
# https://docs.djangoproject.com/en/5.2/ref/settings/#databases
# ---------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'candor.sqlite3'}"
    ),
}


def _telemetry_default() -> str:
    """Beside the portal: a second SQLite file, or a sibling PostgreSQL database."""
    portal = DATABASES["default"]
    if portal["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{VAR_DIR / 'telemetry.sqlite3'}"
    auth = portal["USER"] + (f":{portal['PASSWORD']}" if portal["PASSWORD"] else "")
    host = f"{portal['HOST'] or 'localhost'}:{portal['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{portal['NAME']}_telemetry"


DATABASES["telemetry"] = env.db_url(
    "TELEMETRY_DATABASE_URL", default=_telemetry_default()
)

for _alias, _db in DATABASES.items():
    if _db["ENGINE"].endswith("sqlite3"):
        # Tests use files, not memory, so that a real worker process and the
        # SQL connectors (their own connections) see the same data.
        _db["TEST"] = {"NAME": str(VAR_DIR / f"test_{_alias}.sqlite3")}
        # Web, worker and beat share the files: wait for locks, do not fail.
        _db["OPTIONS"] = {"timeout": 30, "transaction_mode": "IMMEDIATE"}
    else:
        _db["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
        _db["CONN_HEALTH_CHECKS"] = True

DATABASE_ROUTERS = ["apps.telemetry.routers.TelemetryRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------
# Authentication and permissions
# https://docs.djangoproject.com/en/5.2/topics/auth/customizing/
# https://django-guardian.readthedocs.io/en/stable/configuration.html
# ---------------------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
# Axes first: a locked-out username+address is refused before any password
# check. Then passwords (only where local sign-in is on), single sign-on
# (only when OIDC_RP_CLIENT_ID is set) and guardian (docs/accounts.md).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "apps.accounts.backends.LocalPasswordBackend",
    "apps.accounts.oidc.CandorOIDCBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No anonymous user object: anonymous visitors hold no permissions at all.
ANONYMOUS_USER_NAME = None
# Grants are direct-foreign-key models (apps.governance.models) so that they
# die with their objects; the generic tables are unused.
GUARDIAN_MONKEY_PATCH_USER = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "people:my_data"
LOGOUT_REDIRECT_URL = "login"
# Argon2id for new hashes; PBKDF2 after it so existing hashes still verify
# (and are upgraded to Argon2 at the next sign-in).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

# ---------------------------------------------------------------------------
# Cache: store counts shown on "My data" are cached briefly.
# https://docs.djangoproject.com/en/5.2/topics/cache/
# ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")


def _cache_default(broker_url: str) -> str:
    """The broker's Redis server, in another database number: clearing the
    cache (FLUSHDB) must never drop queued tasks."""
    if not broker_url.startswith("redis"):
        return ""
    parts = urlsplit(broker_url)
    return urlunsplit(parts._replace(path=f"/{env.int('CACHE_REDIS_DB', default=1)}"))


_cache_url = env.str("CACHE_URL", default=_cache_default(CELERY_BROKER_URL))
if _cache_url:
    CACHES = {"default": env.cache_url_config(_cache_url)}
else:
    # Shared by the web server and the worker without a server of its own.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="candor")
# How long a dataset's record count for one employee is reused (seconds).
STORE_COUNT_CACHE_SECONDS = env.int("STORE_COUNT_CACHE_SECONDS", default=60)

# ---------------------------------------------------------------------------
# Celery
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# ---------------------------------------------------------------------------
# The filesystem transport needs folders shared by every process on the machine.
CELERY_BROKER_FOLDER = Path(
    env.str("CELERY_BROKER_FOLDER", default=str(VAR_DIR / "broker"))
)
if CELERY_BROKER_URL.startswith("filesystem"):
    for _sub in ("queue", "processed", "control"):
        (CELERY_BROKER_FOLDER / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        # Exchange tables; kombu's default is ./control, in whatever folder
        # the process started.
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than any task's hard time limit, so an unacked message is
        # redelivered only when its worker is really gone.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900),
    }
# Work is recorded in rows with a status; Celery results are not kept.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery closes every database connection around each task unless this is
# set: a new PostgreSQL backend per job, whose connection and cold catalog
# caches cost several milliseconds of each request. With it, connections
# live by Django's CONN_MAX_AGE and CONN_HEALTH_CHECKS (portal/celery.py
# recycles them at each task's start and end); Celery still closes them
# every CELERY_DB_REUSE_MAX tasks.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Several portals (or test runs) may share one broker: each keeps its own queue.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="candor")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Probe every store so officers and employees see an outage before it
    # shows up as a failed request.
    "probe-stores": {
        "task": "apps.stores.tasks.probe_stores",
        "schedule": env.int("STORE_PROBE_SECONDS", default=300),
    },
}

# ---------------------------------------------------------------------------
# Stores: where the demo monitoring system keeps its files (screen captures)
# ---------------------------------------------------------------------------
TELEMETRY_FILES_ROOT = Path(
    env.str("TELEMETRY_FILES_ROOT", default=str(VAR_DIR / "telemetry-files"))
)
# The catalog file loaded by `make run` (catalog as code).
CATALOG_FILE = Path(
    env.str("CATALOG_FILE", default=str(BASE_DIR / "catalog" / "demo.yaml"))
)

# ---------------------------------------------------------------------------
# Internationalisation
# https://docs.djangoproject.com/en/5.2/topics/i18n/
# ---------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------------------
# Static files
# https://docs.djangoproject.com/en/5.2/howto/static-files/
# ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when absent
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# ---------------------------------------------------------------------------
# E-mail: the console in the embedded default.
# https://docs.djangoproject.com/en/5.2/topics/email/
# ---------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="privacy@candor.invalid")

# ---------------------------------------------------------------------------
# Security
# https://docs.djangoproject.com/en/5.2/topics/security/
# ---------------------------------------------------------------------------
# "production" turns on what a deployment behind HTTPS must have: Secure and
# __Host- cookies, HSTS, the HTTPS redirect (apps.security checks the rest).
CANDOR_ENV = env.str("CANDOR_ENV", default="development")
PRODUCTION = CANDOR_ENV == "production"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# __Host- cookies are sent only over HTTPS, for this host only, path /: the
# browser refuses them on http://127.0.0.1, so the embedded default keeps
# Django's plain names.
_COOKIE_PREFIX = "__Host-" if SESSION_COOKIE_SECURE else ""
SESSION_COOKIE_NAME = f"{_COOKIE_PREFIX}sessionid"
CSRF_COOKIE_NAME = f"{_COOKIE_PREFIX}csrftoken"
SESSION_COOKIE_HTTPONLY = True
# Lax, not Strict: the identity provider's redirect back to the sign-in
# callback is a cross-site navigation that must carry the session.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Strict: the token is needed only by forms posted from our own pages.
CSRF_COOKIE_SAMESITE = "Strict"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int(
    "SECURE_HSTS_SECONDS", default=31_536_000 if PRODUCTION else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
# Behind a TLS-terminating proxy: "HTTP_X_FORWARDED_PROTO,https".
if env.str("SECURE_PROXY_SSL_HEADER", default=""):
    SECURE_PROXY_SSL_HEADER = tuple(env.list("SECURE_PROXY_SSL_HEADER"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# ---------------------------------------------------------------------------
# Consent: the decision API's Redis mirror, decisions and beat jobs
# docs/consent.md
# ---------------------------------------------------------------------------


def _consent_redis_default(broker_url: str) -> str:
    """The broker's Redis server in a database of its own (not the broker's
    nor the cache's), so clearing either never drops the mirror; empty (the
    database answers) when the broker is not Redis."""
    if not broker_url.startswith("redis"):
        return ""
    parts = urlsplit(broker_url)
    return urlunsplit(parts._replace(path=f"/{env.int('CONSENT_REDIS_DB', default=2)}"))


CONSENT_REDIS_URL = env.str(
    "CONSENT_REDIS_URL", default=_consent_redis_default(CELERY_BROKER_URL)
)
# Keys of the mirror start with this (several portals may share a server).
CONSENT_REDIS_PREFIX = env.str(
    "CONSENT_REDIS_PREFIX", default=f"{CACHES['default']['KEY_PREFIX']}:consent"
)
# A slow Redis must not slow decisions: past this the database answers.
CONSENT_REDIS_TIMEOUT_SECONDS = env.float("CONSENT_REDIS_TIMEOUT_SECONDS", default=0.1)
# How long a collector may reuse a decision (the changes feed tells it sooner).
CONSENT_DECISION_TTL_SECONDS = env.int("CONSENT_DECISION_TTL_SECONDS", default=30)
# The longest a changes-feed request waits for news (long poll).
CONSENT_CHANGES_MAX_WAIT_SECONDS = env.int(
    "CONSENT_CHANGES_MAX_WAIT_SECONDS", default=20
)
# Consent rates show groups of at least this many people.
CONSENT_MIN_GROUP_SIZE = env.int("CONSENT_MIN_GROUP_SIZE", default=5)

# Expired grants become "expired" events, so the log tells what the API does.
CELERY_BEAT_SCHEDULE["consent-expire-due"] = {
    "task": "apps.consent.tasks.expire_due",
    "schedule": env.int("CONSENT_EXPIRE_SECONDS", default=300),
}
# A Redis write lost during an outage is repaired by a full re-sync.
CELERY_BEAT_SCHEDULE["consent-mirror-repair"] = {
    "task": "apps.consent.tasks.repair_mirror",
    "schedule": env.int("CONSENT_MIRROR_REPAIR_SECONDS", default=30),
}
# Catalog edits (a program's legal basis) reach the mirror by a periodic re-sync.
CELERY_BEAT_SCHEDULE["consent-mirror-resync"] = {
    "task": "apps.consent.tasks.repair_mirror",
    "schedule": env.int("CONSENT_MIRROR_RESYNC_SECONDS", default=600),
    "kwargs": {"force": True},
}

# ---------------------------------------------------------------------------
# Audit log: hash chain, signed checkpoints, verification (docs/audit.md)
# ---------------------------------------------------------------------------
# HMAC key for checkpoint signatures; kept out of the database so that
# whoever can rewrite the audit tables cannot re-sign them. Empty: a key is
# derived from SECRET_KEY. Old keys stay listed in the fallbacks after a
# rotation so that the checkpoints they signed still verify.
AUDIT_SIGNING_KEY = env.str("AUDIT_SIGNING_KEY", default="")
AUDIT_SIGNING_KEY_FALLBACKS = env.list("AUDIT_SIGNING_KEY_FALLBACKS", default=[])
# Never from the environment: only the test session sets it, so that the
# test runner's flush may empty the audit tables (apps/audit flush command).
AUDIT_ALLOW_FLUSH = False
# Appended here rather than in the dict above, which belongs to other apps.
# Every hour: verify what follows the last checkpoint and sign the new head,
# so that tampering is caught (and a truncated tail bounded) within the hour.
CELERY_BEAT_SCHEDULE["checkpoint-audit-chain"] = {
    "task": "apps.audit.tasks.checkpoint_audit_chain",
    "schedule": env.int("AUDIT_CHECKPOINT_SECONDS", default=3600),
}
# Every day: walk the whole chain and e-mail the officers if it is broken.
CELERY_BEAT_SCHEDULE["verify-audit-chain"] = {
    "task": "apps.audit.tasks.verify_audit_chain",
    "schedule": env.int("AUDIT_VERIFY_SECONDS", default=86400),
}

# ---------------------------------------------------------------------------
# Governance: cases, access reviews, exposure report, retention
# docs/governance.md
# ---------------------------------------------------------------------------
# How long an approved case opens its data (days); the issue's default is 14.
GOVERNANCE_CASE_DAYS = env.int("GOVERNANCE_CASE_DAYS", default=14)
# How often an access review opens (days; about a quarter) and how long owners
# have to recertify before what they left undecided is revoked.
GOVERNANCE_REVIEW_INTERVAL_DAYS = env.int(
    "GOVERNANCE_REVIEW_INTERVAL_DAYS", default=91
)
GOVERNANCE_REVIEW_DAYS = env.int("GOVERNANCE_REVIEW_DAYS", default=14)
# Records deleted per statement by retention: short transactions, short locks.
GOVERNANCE_RETENTION_BATCH_SIZE = env.int(
    "GOVERNANCE_RETENTION_BATCH_SIZE", default=5000
)
# Readers a program's datasets may have at once when the program sets no
# limit of its own (apps.governance.models.ProgramExposureLimit).
GOVERNANCE_DEFAULT_MAX_READERS = env.int("GOVERNANCE_DEFAULT_MAX_READERS", default=5)
# An approved case must stop opening data the moment it expires.
CELERY_BEAT_SCHEDULE["expire-cases"] = {
    "task": "apps.governance.tasks.expire_cases",
    "schedule": env.int("GOVERNANCE_EXPIRE_SECONDS", default=300),
}
# Employees told after a recorded delay are told once the delay has passed
# (and an immediate notice whose message was lost is sent again).
CELERY_BEAT_SCHEDULE["send-case-notices"] = {
    "task": "apps.governance.tasks.send_due_case_notices",
    "schedule": env.int("GOVERNANCE_NOTICE_SECONDS", default=900),
}
# Reviews open every GOVERNANCE_REVIEW_INTERVAL_DAYS and close (revoking what
# nobody recertified) when their time is up: checking hourly is enough.
CELERY_BEAT_SCHEDULE["access-reviews"] = {
    "task": "apps.governance.tasks.run_access_reviews",
    "schedule": 3600,
}
# Data past its retention period must go; once a day keeps it within a day.
CELERY_BEAT_SCHEDULE["enforce-retention"] = {
    "task": "apps.governance.tasks.enforce_retention",
    "schedule": env.int("GOVERNANCE_RETENTION_SECONDS", default=86400),
}

# ---------------------------------------------------------------------------
# Rights requests: lifecycle, deadlines, jobs against the stores, exports
# docs/rights.md
# ---------------------------------------------------------------------------
# Uploads (evidence attached to manual tasks): never inside the code tree.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Where links in e-mails point.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Request types an officer must approve; the others (access, portability by
# default) run as soon as the employee's identity is confirmed.
RIGHTS_APPROVAL_REQUIRED = env.list(
    "RIGHTS_APPROVAL_REQUIRED",
    default=["erasure", "rectification", "restriction", "objection"],
)
# Encrypted export archives live here until their link expires.
RIGHTS_EXPORT_ROOT = Path(
    env.str("RIGHTS_EXPORT_ROOT", default=str(VAR_DIR / "exports"))
)
# Key that encrypts archives at rest; empty: one derived from SECRET_KEY.
RIGHTS_EXPORT_KEY = env.str("RIGHTS_EXPORT_KEY", default="")
# Ed25519 private key (base64 of the 32-byte seed) that signs erasure
# certificates; empty: one derived from SECRET_KEY (fine for a demo only).
RIGHTS_SIGNING_KEY = env.str("RIGHTS_SIGNING_KEY", default="")
RIGHTS_DOWNLOAD_DAYS = env.int("RIGHTS_DOWNLOAD_DAYS", default=7)
# A running job renews its lease while it works; one silent for longer than
# this is re-driven by the sweeper. Shorter than the broker's visibility
# timeout, so the sweeper (not a redelivery an hour later) recovers it.
RIGHTS_JOB_LEASE_SECONDS = env.int("RIGHTS_JOB_LEASE_SECONDS", default=120)
RIGHTS_JOB_MAX_ATTEMPTS = env.int("RIGHTS_JOB_MAX_ATTEMPTS", default=5)
RIGHTS_RETRY_BASE_SECONDS = env.int("RIGHTS_RETRY_BASE_SECONDS", default=10)
# Rows erased per transaction (one primary-key range each: short locks, no
# re-selecting). The locks are on the subject's own rows only, and 100,000
# rows delete in under a tenth of a second on PostgreSQL (bench/rights.py):
# a subject with no more than that is erased in one statement. Exports read
# blocks of at most 5,000 rows whatever it is.
RIGHTS_BATCH_SIZE = env.int("RIGHTS_BATCH_SIZE", default=100_000)
# Longest wait between two attempts of a job that hit a store outage.
RIGHTS_RETRY_MAX_SECONDS = env.int("RIGHTS_RETRY_MAX_SECONDS", default=3600)
# Time limits of one job or one archive assembly (a 1,000,000-row export
# takes minutes); the lease, not the broker, guards against lost workers.
RIGHTS_TASK_SOFT_TIME_LIMIT = env.int("RIGHTS_TASK_SOFT_TIME_LIMIT", default=3300)
RIGHTS_TASK_TIME_LIMIT = env.int("RIGHTS_TASK_TIME_LIMIT", default=3600)
# Art. 18(3): the employee is told this many days before a restriction goes.
RIGHTS_RESTRICTION_NOTICE_DAYS = env.int("RIGHTS_RESTRICTION_NOTICE_DAYS", default=7)
# Re-drive pending jobs whose time has come and running jobs whose lease ran
# out (lost messages, killed workers): the relay of the jobs' outbox.
CELERY_BEAT_SCHEDULE["rights-redrive"] = {
    "task": "apps.rights.tasks.redrive_jobs",
    "schedule": env.int("RIGHTS_REDRIVE_SECONDS", default=30),
}
# Warn officers 7 days and 1 day before a deadline; flag overdue requests.
CELERY_BEAT_SCHEDULE["rights-deadlines"] = {
    "task": "apps.rights.tasks.check_deadlines",
    "schedule": env.int("RIGHTS_DEADLINE_SECONDS", default=3600),
}
# Downloads and erasure filing ask for a sign-in this recent (minutes).
RIGHTS_REAUTH_MINUTES = env.int("RIGHTS_REAUTH_MINUTES", default=15)
# The rights API: session (the pages' sign-in) or token (scripts); deny by
# default, the views decide per object. Token first, so that an anonymous
# call gets 401 with a WWW-Authenticate header.
# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# The OpenAPI schema at /api/v1/schema/, its docs page served from the
# sidecar package (no CDN).
# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "Candor API",
    "DESCRIPTION": "Data-subject requests: file, follow, download, withdraw; "
    "the privacy team's queue and decisions.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# ---------------------------------------------------------------------------
# Reports: records of processing, request records, evidence bundles
# docs/reports.md
# ---------------------------------------------------------------------------
# The controller's details (GDPR Art. 30(1)(a)) until an officer edits the
# organisation record in the admin, which then takes precedence.
REPORTS_CONTROLLER_NAME = env.str("REPORTS_CONTROLLER_NAME", default="")
REPORTS_CONTROLLER_CONTACT = env.str("REPORTS_CONTROLLER_CONTACT", default="")
REPORTS_JOINT_CONTROLLERS = env.str("REPORTS_JOINT_CONTROLLERS", default="")
REPORTS_REPRESENTATIVE = env.str("REPORTS_REPRESENTATIVE", default="")
REPORTS_DPO_NAME = env.str("REPORTS_DPO_NAME", default="")
REPORTS_DPO_CONTACT = env.str("REPORTS_DPO_CONTACT", default="")
# Request records are kept (and exported) for this many months; the CCPA
# regulations ask for 24.
REPORTS_REQUEST_RECORD_MONTHS = env.int("REPORTS_REQUEST_RECORD_MONTHS", default=24)
# HMAC key of evidence-bundle manifests; empty: one derived from SECRET_KEY.
# Kept out of the database, like AUDIT_SIGNING_KEY, so that whoever can
# rewrite a bundle cannot re-sign it.
REPORTS_SIGNING_KEY = env.str("REPORTS_SIGNING_KEY", default="")
REPORTS_BUNDLE_DIR = Path(
    env.str("REPORTS_BUNDLE_DIR", default=str(VAR_DIR / "bundles"))
)
# Smallest group any HR figure describes; never below the audit log's five.
REPORTS_MIN_GROUP_SIZE = max(env.int("REPORTS_MIN_GROUP_SIZE", default=5), 5)

# ---------------------------------------------------------------------------
# Sessions, headers and deployment checks (apps.security, docs/security.md)
# ---------------------------------------------------------------------------
# Server-side sessions, in the database: ending one is deleting its row, and
# apps.security.models.UserSession finds every row of a user at once.
# https://docs.djangoproject.com/en/5.2/topics/http/sessions/
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Idle limits (minutes): staff (is_staff or any role beyond "employee") and
# everyone else; and the absolute lifetime of a sign-in (hours).
SESSION_IDLE_MINUTES_STAFF = env.int("SESSION_IDLE_MINUTES_STAFF", default=15)
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
# The cookie and the row expire with the absolute limit; the middleware
# (apps.security.middleware.SessionLimitsMiddleware) enforces both limits.
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Under this prefix an expired session goes on as anonymous (DRF answers
# 401/403) instead of being redirected to the sign-in page.
SESSION_LIMITS_API_PREFIX = "/api/"

# Content-Security-Policy (django-csp): nothing inline runs or styles without
# this response's nonce; no framing at all.
# https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # The identity provider's origin, if a sign-in form posts to it.
        "form-action": [SELF, *env.list("CSP_FORM_ACTION", default=[])],
        "frame-ancestors": [NONE],
    },
}
# The few additions a named view needs, and only there: Swagger UI's CSS
# draws its icons as data: images.
CSP_VIEW_UPDATES = {"api:docs": {"img-src": [SELF, "data:"]}}

# ---------------------------------------------------------------------------
# Sign-in: single sign-on, two-factor, throttling (apps.accounts)
# ---------------------------------------------------------------------------
# docs/accounts.md. Local (username/password) accounts: on by default so that
# the embedded default works; a company on single sign-on turns them off.
ACCOUNTS_LOCAL_LOGIN = env.bool("ACCOUNTS_LOCAL_LOGIN", default=True)
# Every staff role (any role but employee, or is_staff/superuser) must pass a
# second factor before reaching anything but the two-factor pages.
ACCOUNTS_REQUIRE_STAFF_2FA = env.bool("ACCOUNTS_REQUIRE_STAFF_2FA", default=True)
# Staff step-up (erasure and case approval, bundle download): this recent.
ACCOUNTS_STEP_UP_MINUTES = env.int("ACCOUNTS_STEP_UP_MINUTES", default=5)
# Issuer name shown in authenticator apps next to the account.
ACCOUNTS_OTP_ISSUER = env.str("ACCOUNTS_OTP_ISSUER", default="Candor")
# Two-factor (django-otp): wrong codes slow the device down exponentially.
# https://django-otp-official.readthedocs.io/en/stable/overview.html
OTP_TOTP_ISSUER = ACCOUNTS_OTP_ISSUER
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# OpenID Connect single sign-on (mozilla-django-oidc): off unless a client id
# is set. Endpoints are explicit (no discovery download at run time).
# https://mozilla-django-oidc.readthedocs.io/en/stable/settings.html
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
# The IdP's display name on the sign-in button.
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your company account")
# Just-in-time creation of a user (and their Employee) on first sign-in.
OIDC_CREATE_USER = env.bool("OIDC_CREATE_USER", default=False)
# Claims that name the person; an existing Employee is found by e-mail first,
# then by employee number.
OIDC_CLAIM_EMAIL = env.str("OIDC_CLAIM_EMAIL", default="email")
OIDC_CLAIM_EMPLOYEE_NUMBER = env.str(
    "OIDC_CLAIM_EMPLOYEE_NUMBER", default="employee_number"
)
OIDC_CLAIM_NAME = env.str("OIDC_CLAIM_NAME", default="name")
OIDC_CLAIM_GROUPS = env.str("OIDC_CLAIM_GROUPS", default="groups")
# IdP group -> Candor role, e.g. "candor-dpo=dpo,candor-privacy=privacy_officer".
# A group not listed here grants nothing.
OIDC_GROUP_ROLES = env.dict("OIDC_GROUP_ROLES", default={})
# ID-token `amr` values that mean the IdP did multi-factor: then the local
# TOTP step is skipped.
OIDC_MFA_AMR_VALUES = env.list("OIDC_MFA_AMR_VALUES", default=["mfa", "otp", "hwk"])
LOGIN_REDIRECT_URL_FAILURE = "login"

# Failed sign-ins (django-axes): locked by username AND address together, so
# that a stranger elsewhere cannot lock the real person out; OTP failures
# count too. https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=15)
# In hours, as axes reads a number.
AXES_COOLOFF_TIME = AXES_COOLOFF_MINUTES / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "apps.accounts.views.axes_lockout"
AXES_VERBOSE = False
