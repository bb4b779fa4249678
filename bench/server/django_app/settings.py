"""Settings of the benchmark's Django stack, a lean production configuration of what Gatehouse's
ready server does: CORS (django-cors-headers), JWT bearer authentication (simplejwt), an
IsAuthenticated permission (DRF), posts in SQLite.

Environment: BENCH_DJANGO_DB (the SQLite file), BENCH_ORIGIN (the one allowed origin),
BENCH_DJANGO_SECRET_KEY (signs the tokens).

Lean on purpose, so the comparison does not flatter Gatehouse: no sessions, CSRF, messages or admin
middleware (a JWT API needs none of them), only JSONRenderer (no browsable API), persistent database
connections (CONN_MAX_AGE) instead of one connection per request, and no DRF throttling (DRF's
throttles keep one timestamp per request of the window in the cache, so a never-reached limit of
100000000/minute would make every request copy a list of every request of the last minute; the
benchmark report says so next to the numbers).
"""

import os
from datetime import timedelta

DEBUG = False
SECRET_KEY = os.environ["BENCH_DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "corsheaders",
    "rest_framework",
    "django_app",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "django_app.urls"
WSGI_APPLICATION = "django_app.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["BENCH_DJANGO_DB"],
        # One connection per worker kept open, as Gatehouse keeps its one SQLite connection.
        "CONN_MAX_AGE": None,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = False

CORS_ALLOWED_ORIGINS = [os.environ["BENCH_ORIGIN"]]
CORS_ALLOW_CREDENTIALS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}

SIMPLE_JWT = {
    # The benchmark's token must outlive the run; the same day Gatehouse's token gets.
    "ACCESS_TOKEN_LIFETIME": timedelta(days=1),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=2),
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}
