"""Creates the benchmark's Django database and prints what the runner needs, as one JSON line.

Usage (from bench/server/run.ts): /usr/bin/python3 -I -B django_app/prepare.py
Environment: settings.py's variables, plus BENCH_ADMIN_PASSWORD and BENCH_POSTS (a JSON array of
{"title", "body"}: Gatehouse's DEMO_POSTS, so both servers hold the same posts).

Steps: `migrate` (the schema from migrations, as a deployment would), the admin user and the posts,
and a simplejwt access token for the admin (RefreshToken.for_user, lifetime from SIMPLE_JWT).
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_app.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework_simplejwt.tokens import RefreshToken  # noqa: E402

from django_app.models import Post  # noqa: E402


def main():
    call_command("migrate", verbosity=0, interactive=False)
    User = get_user_model()
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_password(os.environ["BENCH_ADMIN_PASSWORD"])
        admin.save()
    if not Post.objects.exists():
        for post in json.loads(os.environ["BENCH_POSTS"]):
            Post.objects.create(owner=admin, title=post["title"], body=post["body"])
    access = RefreshToken.for_user(admin).access_token
    print(json.dumps({
        "access": str(access),
        "django": django.get_version(),
        "posts": Post.objects.count(),
    }))


if __name__ == "__main__":
    main()
