"""A single-file Django app that serves as the django-cors-headers oracle for Gatehouse's
differential tests.

Usage: /usr/bin/python3 app.py SETTINGS.json

SETTINGS.json is an object whose keys are Django setting names (CORS_ALLOWED_ORIGINS,
CORS_ALLOW_CREDENTIALS, ...); every key is passed to settings.configure() unchanged.

The app mirrors the Gatehouse test app: every path and method answers 200 {"ok": true} with
`x-handler: called`; /status/404, /status/401 and /status/500 answer that status; /vary sets
`Vary: Accept-Encoding` in the view. It listens on 127.0.0.1 on a free port and prints exactly one
line, `READY <port>`, on stdout once listening. Messages from Django's system checks (for example
corsheaders.E014 for an allowed origin with a path) go to stderr as `CHECK <id>: <message>`; they
never stop the server. The process exits when its stdin reaches end-of-file (the parent died or
closed it) or on SIGTERM/SIGINT.
"""

import json
import os
import signal
import stat
import socketserver
import sys
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


def load_cors_settings(path):
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise SystemExit(f"settings file {path} must hold a JSON object, got {type(data).__name__}")
    return data


def configure(cors_settings):
    from django.conf import settings

    base = dict(
        DEBUG=False,
        SECRET_KEY="gatehouse-differential-not-secret",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["corsheaders"],
        MIDDLEWARE=[
            "corsheaders.middleware.CorsMiddleware",
            "django.middleware.common.CommonMiddleware",
        ],
        APPEND_SLASH=False,
        DATABASES={},
        USE_TZ=True,
        USE_I18N=False,
    )
    base.update(cors_settings)
    settings.configure(**base)

    import django

    django.setup()


# --- views and URLs (this module is ROOT_URLCONF) -------------------------------------------------


def _json(status):
    from django.http import JsonResponse

    body = {"ok": True} if status == 200 else {"ok": False, "status": status}
    response = JsonResponse(body, status=status)
    response["x-handler"] = "called"
    return response


def any_view(request, *args, **kwargs):
    return _json(200)


def status_view(request, code):
    return _json(int(code))


def vary_view(request):
    response = _json(200)
    response["Vary"] = "Accept-Encoding"
    return response


def _urlpatterns():
    from django.urls import re_path

    return [
        re_path(r"^status/(?P<code>404|401|500)$", status_view),
        re_path(r"^vary$", vary_view),
        re_path(r"", any_view),
    ]


# --- server ----------------------------------------------------------------------------------------


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature fixed by BaseHTTPRequestHandler
        pass


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


def run_checks():
    from django.core import checks

    for message in checks.run_checks():
        hint = f" (hint: {message.hint})" if message.hint else ""
        print(f"CHECK {message.id}: {message.msg}{hint}", file=sys.stderr, flush=True)


def _stdin_is_pipe():
    try:
        return stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False


def watch_stdin():
    # Exit when the parent goes away: its end of our stdin pipe closes and read() returns b"".
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except Exception:
        pass
    os._exit(0)


def main(argv):
    if len(argv) != 2:
        print("usage: app.py SETTINGS.json", file=sys.stderr)
        return 2
    configure(load_cors_settings(argv[1]))

    global urlpatterns
    urlpatterns = _urlpatterns()

    run_checks()

    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    server = make_server("127.0.0.1", 0, application, server_class=ThreadingWSGIServer, handler_class=QuietHandler)

    def stop(signum, frame):
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.stdout.write(f"READY {server.server_port}\n")
    sys.stdout.flush()
    if _stdin_is_pipe():
        threading.Thread(target=watch_stdin, daemon=True).start()
    server.serve_forever()
    return 0


urlpatterns = []

if __name__ == "__main__":
    sys.exit(main(sys.argv))
