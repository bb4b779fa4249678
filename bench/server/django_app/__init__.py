"""The Django stack Gatehouse's ready server replaces, for bench/server/run.ts: Django + Django REST
Framework + simplejwt + django-cors-headers serving /api/posts/<id>/ from SQLite under gunicorn.
Settings come from the environment (see settings.py); prepare.py creates and seeds the database."""
