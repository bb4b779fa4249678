"""A tiny Django + Django REST Framework API: the upstream behind `gatehouse serve --upstream` in the
gateway tests and benchmarks. It has no CORS package: Gatehouse, in front, does CORS.

Run under gunicorn:  gunicorn --chdir test/gateway/django_upstream app:application

It trusts the gateway's principal headers (X-Gatehouse-Subject, -Kind, -Scopes, -Roles,
-Auth-Method) through a DRF authentication class, as an app behind the gateway would, and mirrors the
Gatehouse test app (test/helpers/testApp.ts): every path and method answers 200 JSON with
`x-handler: called` and the Principal it saw in `x-principal*`; /status/NNN answers NNN; /vary sets
`Vary: Accept-Encoding`; /throw raises (Django's own 500, without `x-handler`);
/api/code/owned/<owner> checks the object part of `posts:write AND (owner OR admin)` and answers the
ordinary 404 problem+json to anyone else.

GATEHOUSE_UPSTREAM_MODE (environment):
- `plain` (default): as above.
- `leaky-cors`: a misconfigured API that adds `Access-Control-Allow-Origin: *` and friends to every
  response; the gateway must not let them through.
- `corsheaders`: django-cors-headers in front of the views, allowing CORS_ALLOWED_ORIGINS (comma-
  separated, from the environment; CORS_ALLOW_CREDENTIALS=true allows credentials): the usual Django
  deployment, for the benchmarks.
- `probe`: the browser suite's API instead of the echo views (probe.py: the routes the demo page's
  probes use, the session cookie, a JWT login the gateway verifies, and a count of what the views ran).
"""

import json
import os
import re
import sys
from urllib.parse import unquote

MODE = os.environ.get("GATEHOUSE_UPSTREAM_MODE", "plain")
PREFIX = "HTTP_X_GATEHOUSE_"


def configure():
    from django.conf import settings

    if settings.configured:
        return
    apps = ["rest_framework"]
    middleware = []
    extra = {}
    if MODE == "corsheaders":
        apps.append("corsheaders")
        middleware.append("corsheaders.middleware.CorsMiddleware")
        extra["CORS_ALLOWED_ORIGINS"] = [o for o in os.environ.get("CORS_ALLOWED_ORIGINS", "").split(",") if o]
        extra["CORS_ALLOW_CREDENTIALS"] = os.environ.get("CORS_ALLOW_CREDENTIALS") == "true"
    elif MODE == "leaky-cors":
        middleware.append(__name__ + ".leaky_cors")
    elif MODE not in ("plain", "probe"):
        raise SystemExit(f"unknown GATEHOUSE_UPSTREAM_MODE {MODE!r}")
    settings.configure(
        DEBUG=False,
        SECRET_KEY="gatehouse-gateway-upstream-not-secret",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=apps,
        MIDDLEWARE=middleware,
        APPEND_SLASH=False,
        DATABASES={},
        USE_TZ=True,
        USE_I18N=False,
        LOGGING_CONFIG=None,
        REST_FRAMEWORK={
            # Set on the views (authentication_classes): this module is still importing when DRF reads these.
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
            "UNAUTHENTICATED_USER": None,
        },
        **extra,
    )
    import django

    django.setup()


configure()

from rest_framework.authentication import BaseAuthentication  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402


def leaky_cors(get_response):
    def middleware(request):
        response = get_response(request)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Credentials"] = "true"
        response["Access-Control-Allow-Methods"] = "*"
        response["Access-Control-Allow-Headers"] = "*"
        response["Access-Control-Expose-Headers"] = "X-Internal-Secret"
        response["Access-Control-Max-Age"] = "1"
        return response

    return middleware


class GatewayUser:
    """The Principal the gateway vouched for; no database behind it."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, subject, kind, scopes, roles, method):
        self.subject = subject
        self.kind = kind
        self.scopes = scopes
        self.roles = roles
        self.method = method

    def __str__(self):
        return self.subject


def _list(value):
    return sorted(unquote(item) for item in value.split(" ") if item) if value else []


class GatehouseHeaderAuthentication(BaseAuthentication):
    """Trusts X-Gatehouse-*: the gateway strips them from clients and sets them itself. Only sound
    when nothing but the gateway can reach this server (bind it to 127.0.0.1)."""

    def authenticate(self, request):
        meta = request.META
        subject = meta.get(PREFIX + "SUBJECT")
        if subject is None:
            return None
        user = GatewayUser(
            unquote(subject),
            meta.get(PREFIX + "KIND", ""),
            _list(meta.get(PREFIX + "SCOPES")),
            _list(meta.get(PREFIX + "ROLES")),
            meta.get(PREFIX + "AUTH_METHOD", ""),
        )
        return (user, None)


OWNED = re.compile(r"^/api/code/owned/(.+)$")
STATUS = re.compile(r"^/status/(\d{3})$")


class EchoView(APIView):
    authentication_classes = [GatehouseHeaderAuthentication]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options", "trace", "purge"]

    def handle(self, request, *args, **kwargs):
        path = request.path
        if path == "/throw":
            raise RuntimeError("the view raised on purpose")
        user = request.user
        owner = OWNED.match(path)
        if owner is not None:
            # The object part of `owner OR admin`, as a view checks it once it has loaded the object.
            if user is None or (user.subject != owner.group(1) and "admin" not in user.roles):
                body = {"type": "https://gatehouse.dev/problems/not-found", "title": "Not Found", "status": 404, "code": "not-found"}
                return self.marked(Response(body, status=404, content_type="application/problem+json"), user)
        status = STATUS.match(path)
        code = int(status.group(1)) if status else 200
        data = {"ok": True, "method": request.method, "path": path} if code == 200 else {"error": code}
        response = self.marked(Response(data, status=code), user)
        if path == "/vary":
            response["Vary"] = "Accept-Encoding"
        return response

    def marked(self, response, user):
        response["x-handler"] = "called"
        if user is not None:
            response["x-principal"] = user.subject
            response["x-principal-kind"] = user.kind
            response["x-principal-scopes"] = " ".join(user.scopes) or "(none)"
            response["x-principal-same"] = "yes"
        return response

    get = post = put = patch = delete = options = trace = purge = handle

    def head(self, request, *args, **kwargs):
        return self.handle(request, *args, **kwargs)


class HeadersView(APIView):
    """What the upstream received: the request head as the gateway forwarded it."""

    authentication_classes = [GatehouseHeaderAuthentication]

    def get(self, request):
        headers = {k[5:].replace("_", "-").lower(): v for k, v in request.META.items() if k.startswith("HTTP_")}
        return Response({"headers": headers, "remote_addr": request.META.get("REMOTE_ADDR"), "path": request.path, "query": request.META.get("QUERY_STRING", "")})


def _urlpatterns():
    from django.urls import re_path

    if MODE == "probe":
        import probe

        return probe.urlpatterns()
    return [re_path(r"^debug/headers$", HeadersView.as_view()), re_path(r"", EchoView.as_view())]


urlpatterns = _urlpatterns()

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

if __name__ == "__main__":
    print("run me under gunicorn: gunicorn --chdir", os.path.dirname(os.path.abspath(__file__)), "app:application", file=sys.stderr)
    sys.exit(2)
