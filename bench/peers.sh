#!/usr/bin/env bash
# What `npm run bench` needs besides npm's packages, installed from Debian when missing: wrk (the
# server and gateway suites' load generator), nginx (the gateway's peer), and Django REST Framework with
# django-cors-headers and djangorestframework-simplejwt under gunicorn (the ready server's and the
# gateway's peers). Without root, it names the missing packages and stops, rather than measuring part
# of the suites.
set -euo pipefail
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
/usr/bin/python3 -c 'import django, corsheaders' 2>/dev/null || missing+=(python3-django python3-django-cors-headers)
/usr/bin/python3 -c 'import rest_framework' 2>/dev/null || missing+=(python3-djangorestframework)
# The ready server's peer signs in with djangorestframework-simplejwt.
/usr/bin/python3 -c 'import rest_framework_simplejwt' 2>/dev/null || missing+=(python3-djangorestframework-simplejwt)
command -v gunicorn >/dev/null || missing+=(gunicorn)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "bench: missing ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "bench: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
# Debian starts nginx as a service on install; the gateway suite runs its own, on its own port.
command -v systemctl >/dev/null && systemctl disable --now nginx >/dev/null 2>&1 || true
