"""The browser suite's API as a Django REST Framework app (GATEHOUSE_UPSTREAM_MODE=probe): every route
the demo page's probes use, laid out as test/e2e/probeApi.ts's handler lays them out, with no CORS
package. Gatehouse, in front as the gateway, does CORS and the cross-site checks.

- GET/HEAD/POST /api/posts/ (POST reads JSON only: DRF answers 415 to a form; GET sets X-Request-Id)
- GET/PUT/PATCH/DELETE /api/posts/<id>
- POST /api/token/: signs in (any password) and answers {access, refresh}, where `access` is an
  HS256 JWT the gateway verifies (issuer PROBE_JWT_ISSUER, secret from GATEHOUSE_PROBE_JWT_SECRET), as
  a djangorestframework-simplejwt login would; it also sets the session cookie gh_session (HttpOnly,
  SameSite=Lax).
- GET /api/users/me: signed in with the session cookie, or with the Principal the gateway vouched for
  (X-Gatehouse-Subject, set only after the gateway verified the Bearer token); else 401.
- GET /api/public/, GET /api/private/

Counting: every request a view ran is appended as one JSON line to the file GATEHOUSE_UPSTREAM_LOG
names (the test reads it: `handled`). A file, not an endpoint, so that nothing the gateway exposes can
read or forge the count; one os.write of one short line with O_APPEND, so gunicorn's workers never
interleave lines. Each line carries the gateway it came through (X-Forwarded-Host), so that two
gateways in front of this one app count apart.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import time

from rest_framework.response import Response
from rest_framework.views import APIView

SESSION_COOKIE = "gh_session"
PROBE_JWT_ISSUER = "django-probe-upstream"
PROBE_JWT_AUDIENCE = "gatehouse-browser-suite"
LOG = os.environ.get("GATEHOUSE_UPSTREAM_LOG")
JWT_SECRET = os.environ.get("GATEHOUSE_PROBE_JWT_SECRET", "")
POSTS = [
    {"id": 1, "title": "Welcome to Gatehouse", "body": "Readable only from the origins you allow."},
    {"id": 2, "title": "CORS binds browsers", "body": "curl is stopped by authentication."},
    {"id": 3, "title": "Preflights", "body": "Answered by Gatehouse, never by the handler."},
]


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def access_token(subject):
    """An HS256 JWT (RFC 7519) for `subject`, valid for an hour."""
    if len(JWT_SECRET) < 32:
        raise RuntimeError("GATEHOUSE_PROBE_JWT_SECRET must hold at least 32 bytes (RFC 7518 §3.2)")
    now = int(time.time())
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"iss": PROBE_JWT_ISSUER, "aud": PROBE_JWT_AUDIENCE, "sub": subject, "iat": now, "exp": now + 3600, "jti": secrets.token_hex(8), "token_type": "access"}
    payload = _b64url(json.dumps(claims).encode())
    signature = hmac.new(JWT_SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(signature)}"


def _record(request):
    meta = request.META
    line = {
        "method": request.method,
        "path": request.path,
        "preflight": request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in meta,
        "via": request.GET.get("via"),
        "origin": meta.get("HTTP_ORIGIN"),
        "cookie": (SESSION_COOKIE + "=") in meta.get("HTTP_COOKIE", ""),
        "authorization": "HTTP_AUTHORIZATION" in meta,
        "fetchSite": meta.get("HTTP_SEC_FETCH_SITE"),
        "gateway": meta.get("HTTP_X_FORWARDED_HOST"),
    }
    if LOG:
        fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (json.dumps(line) + "\n").encode())
        finally:
            os.close(fd)


class ProbeView(APIView):
    # No DRF authentication: the session cookie and the gateway's Principal are read where needed.
    authentication_classes = []

    def initial(self, request, *args, **kwargs):
        _record(request)
        super().initial(request, *args, **kwargs)


class PostList(ProbeView):
    next_id = 100

    def get(self, request):
        response = Response({"count": len(POSTS), "results": POSTS})
        response["X-Request-Id"] = secrets.token_hex(8)
        return response

    def post(self, request):
        # request.data parses JSON only (DEFAULT_PARSER_CLASSES): a form body raises 415 here.
        data = request.data
        PostList.next_id += 1
        return Response({"id": PostList.next_id, **data}, status=201)


class PostDetail(ProbeView):
    def get(self, request, post_id):
        return Response(POSTS[0])

    def put(self, request, post_id):
        return Response({"id": int(post_id), **request.data})

    patch = put

    def delete(self, request, post_id):
        return Response(status=204)


class Token(ProbeView):
    def post(self, request):
        response = Response({"access": access_token("alice"), "refresh": secrets.token_hex(16)})
        response.set_cookie(SESSION_COOKIE, secrets.token_hex(8), path="/", httponly=True, samesite="Lax")
        return response


def _problem(status, code, title):
    body = {"type": f"https://gatehouse.dev/problems/{code}", "title": title, "status": status, "code": code}
    return Response(body, status=status, content_type="application/problem+json")


class Me(ProbeView):
    def get(self, request):
        subject = request.META.get("HTTP_X_GATEHOUSE_SUBJECT")
        if subject is None and SESSION_COOKIE not in request.COOKIES:
            return _problem(401, "not-authenticated", "Unauthorized")
        return Response({"id": 1, "username": subject or "alice"})


class Public(ProbeView):
    def get(self, request):
        return Response({"message": "public notice: anyone may read this"})


class Private(ProbeView):
    def get(self, request):
        return Response({"message": "private data for the front end only"})


def urlpatterns():
    from django.urls import re_path

    return [
        re_path(r"^api/posts/$", PostList.as_view()),
        re_path(r"^api/posts/(?P<post_id>\d+)$", PostDetail.as_view()),
        re_path(r"^api/token/$", Token.as_view()),
        re_path(r"^api/users/me$", Me.as_view()),
        re_path(r"^api/public/$", Public.as_view()),
        re_path(r"^api/private/$", Private.as_view()),
    ]
