"""Django settings for a Huizhen node, copied from :mod:`huizhen.config`.

Nothing is read from the environment here: ``huizhen.config.load`` validates every
variable first, so a configuration mistake is reported by name, not as a traceback.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from huizhen import config as _config

NODE = _config.load()

BASE_DIR = Path(__file__).resolve().parent.parent
HUIZHEN_ROLE = NODE.role
HUIZHEN_DATA_DIR = NODE.data_dir
HUIZHEN_BLOB_DIR = NODE.blob_dir
HUIZHEN_PUBLIC_URL = NODE.public_url
HUIZHEN_NODE_NAME = NODE.node_name
# Read by huizhen.translate.configured_engine(); "none" sends texts to the human queue.
HUIZHEN_TRANSLATION = {
    "HUIZHEN_TRANSLATION_ENGINE": NODE.translation_engine,
    "HUIZHEN_TRANSLATION_URL": NODE.translation_url or "",
    "HUIZHEN_TRANSLATION_API_KEY": NODE.translation_api_key or "",
}

SECRET_KEY = NODE.secret_key
DEBUG = NODE.debug
ALLOWED_HOSTS = list(NODE.allowed_hosts)
CSRF_TRUSTED_ORIGINS = list(NODE.csrf_trusted_origins)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "huizhen.apps.accounts",
    "huizhen.apps.audit",
    "huizhen.apps.nodes",
    "huizhen.apps.portal",
    "huizhen.apps.policy",
    "huizhen.apps.translation",
    "huizhen.apps.registry",
    "huizhen.apps.consults",
]
if NODE.tasks_backend == "rq":
    INSTALLED_APPS.append("django_rq")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "huizhen.apps.accounts.middleware.UserLanguageMiddleware",
    # Every page but sign-in, static files and the signed API needs password + TOTP.
    "huizhen.apps.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must come last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "huizhen.site.urls"
WSGI_APPLICATION = "huizhen.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "huizhen.apps.portal.context.node",
            ],
        },
    },
]

_db: dict[str, Any] = dict(dj_database_url.parse(NODE.database_url, conn_max_age=60))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web server read while the other writes; IMMEDIATE
    # transactions take the write lock up front, so the audit chain never races.
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock an account-and-address pair out after five failures for fifteen minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = f"Huizhen {NODE.role}"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "huizhen_language"
# Stored times are UTC (USE_TZ); pages and business-day deadlines use the node's zone.
TIME_ZONE = NODE.time_zone
HUIZHEN_COUNTRY = NODE.country

# Notifications: e-mail to the console unless an SMTP relay is configured.
if NODE.smtp_host:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = NODE.smtp_host
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = f"Huizhen <no-reply@{NODE.public_url.split('://', 1)[-1].split('/', 1)[0].split(':', 1)[0]}>"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = NODE.data_dir / "static"
WHITENOISE_USE_FINDERS = True
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(NODE.blob_dir)}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_NAME = f"huizhen_{NODE.role}_session"
CSRF_COOKIE_NAME = f"huizhen_{NODE.role}_csrftoken"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if NODE.is_production:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"

TASKS: dict[str, Any]
if NODE.tasks_backend == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": NODE.redis_url, "DEFAULT_TIMEOUT": 600}}
    # RQ workers must run jobs through django-tasks' Job class (it calls the Task object).
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
elif NODE.tasks_backend == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"axes": {"level": "WARNING"}},
}
