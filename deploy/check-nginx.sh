#!/usr/bin/env bash
# Test deploy/nginx/hbkj.conf with `nginx -t` on a rendered copy: a throwaway self-signed
# certificate, temp static and log folders, the app's ports replaced by HTTP_PORT/HTTPS_PORT.
#
#   deploy/check-nginx.sh                 # nginx -t on the rendered copy
#   deploy/check-nginx.sh --render DIR    # only write the rendered copy into DIR (nginx.conf there)
#
# Environment: NGINX (default: nginx on PATH), HTTP_PORT/HTTPS_PORT (default 80/443),
# UPSTREAM (e.g. 127.0.0.1:18601: replaces the example app servers).
set -euo pipefail

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
}

here="$(cd "$(dirname "$0")" && pwd)"
render_only=""
case "${1:-}" in
  "") ;;
  --render)
    [ $# -eq 2 ] || { usage >&2; exit 2; }
    render_only="$2"
    ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac

nginx_bin="${NGINX:-$(command -v nginx || true)}"
if [ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ]; then nginx_bin=/usr/sbin/nginx; fi
if [ -z "$render_only" ] && [ -z "$nginx_bin" ]; then
  echo "nginx is not installed (apt-get install nginx-light)" >&2
  exit 3
fi

if [ -n "$render_only" ]; then
  prefix="$render_only"
  mkdir -p "$prefix"
else
  prefix="$(mktemp -d)"
  trap 'rm -rf "$prefix"' EXIT
fi
prefix="$(cd "$prefix" && pwd)"
mkdir -p "$prefix/tls" "$prefix/static" "$prefix/log"

if [ ! -s "$prefix/tls/hbkj.crt" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=hbkj.example.gov.cn" \
    -keyout "$prefix/tls/hbkj.key" -out "$prefix/tls/hbkj.crt" >/dev/null 2>&1
fi

http_port="${HTTP_PORT:-80}"
https_port="${HTTPS_PORT:-443}"
sed -e "s#/etc/nginx/tls/#$prefix/tls/#g" \
  -e "s#/var/lib/hbkj/static/#$prefix/static/#g" \
  -e "s#/var/log/nginx/#$prefix/log/#g" \
  -e "s#listen 80\\b#listen $http_port#; s#listen \\[::\\]:80\\b#listen [::]:$http_port#" \
  -e "s#listen 443\\b#listen $https_port#; s#listen \\[::\\]:443\\b#listen [::]:$https_port#" \
  "$here/nginx/hbkj.conf" >"$prefix/hbkj.conf"
if [ -n "${UPSTREAM:-}" ]; then
  # One upstream server instead of the example addresses.
  awk -v up="$UPSTREAM" '
    /^upstream hbkj_app/ { inside = 1; print; print "    server " up " max_fails=3 fail_timeout=10s;"; next }
    inside && /^ *server / { next }
    /^}/ { inside = 0 }
    { print }
  ' "$prefix/hbkj.conf" >"$prefix/hbkj.conf.new"
  mv "$prefix/hbkj.conf.new" "$prefix/hbkj.conf"
fi

mime_types=/etc/nginx/mime.types
[ -r "$mime_types" ] || mime_types=""
cat >"$prefix/nginx.conf" <<CONF
worker_processes 1;
pid $prefix/nginx.pid;
error_log $prefix/log/error.log warn;
events { worker_connections 64; }
http {
    ${mime_types:+include $mime_types;}
    client_body_temp_path $prefix/client_body;
    proxy_temp_path $prefix/proxy;
    fastcgi_temp_path $prefix/fastcgi;
    uwsgi_temp_path $prefix/uwsgi;
    scgi_temp_path $prefix/scgi;
    access_log off;
    include $prefix/hbkj.conf;
}
CONF

if [ -n "$render_only" ]; then
  echo "$prefix/nginx.conf"
  exit 0
fi
"$nginx_bin" -t -q -p "$prefix" -c "$prefix/nginx.conf"
echo "nginx -t: deploy/nginx/hbkj.conf is valid"
