#!/usr/bin/env bash
# Restore drill: prove that a backup made by deploy/backup.sh restores completely.
#
#   deploy/restore_drill.sh          (make restore-drill; the last step of .ci/run)
#
# 1. a fresh PostgreSQL database, migrated, with data made through the app (deploy/drill_seed.py):
#    accountants, approved 信息采集, documents with real files in a temp MEDIA_ROOT;
# 2. deploy/backup.sh;
# 3. deploy/restore.sh into another fresh database and an empty media folder;
# 4. every table's row count equal in both databases, every document's SHA-256 (recorded on its
#    row) equal to the restored file's; then one restored file is damaged and the check must fail.
# Prints a table, exits non-zero on any mismatch, drops its databases and temp files.
#
# Environment: DRILL_SERVER_URL (default postgres://postgres@127.0.0.1:5432: a role that may
# create databases), DRILL_PEOPLE (default 5), PYTHON, PG_BIN.
set -euo pipefail

case "${1:-}" in
  "") ;;
  -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
server="${DRILL_SERVER_URL:-postgres://postgres@127.0.0.1:5432}"
server="${server%/}"
if [ -z "${PG_BIN:-}" ]; then
  PG_BIN="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n1)"
fi
export PG_BIN PYTHON="$python"
pg() { if [ -n "$PG_BIN" ]; then "$PG_BIN/$1" "${@:2}"; else "$@"; fi; }

suffix="$$_$(date +%s)"
source_db="hbkj_deploy_drill_src_$suffix"
target_db="hbkj_deploy_drill_dst_$suffix"
work="$(mktemp -d "${TMPDIR:-/tmp}/hbkj-restore-drill.XXXXXX")"
started=$SECONDS

cleanup() {
  pg dropdb --if-exists --force --maintenance-db="$server/postgres" "$source_db" >/dev/null 2>&1 || true
  pg dropdb --if-exists --force --maintenance-db="$server/postgres" "$target_db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '%4ss  %s\n' "$((SECONDS - started))" "$*"; }

# The app's settings for the drill: production-like (DEBUG off), nothing from the caller's environment.
app_env=(
  env -u REDIS_URL -u CELERY_BROKER_URL -u STORAGE_BUCKET
  DEBUG=0 SECRET_KEY="restore-drill-$suffix" LOG_LEVEL=WARNING LOG_FORMAT=text
  SMS_BACKEND=locmem CELERY_TASK_ALWAYS_EAGER=1 STORAGE_BACKEND=local
  DATABASE_URL="$server/$source_db" MEDIA_ROOT="$work/media"
)

step "create database $source_db"
pg createdb --maintenance-db="$server/postgres" "$source_db"
pg createdb --maintenance-db="$server/postgres" "$target_db"

step "migrate"
(cd "$root" && "${app_env[@]}" "$python" manage.py migrate --noinput >"$work/migrate.log" 2>&1) || {
  cat "$work/migrate.log" >&2
  exit 1
}

step "seed through the app"
(cd "$root" && "${app_env[@]}" "$python" deploy/drill_seed.py "${DRILL_PEOPLE:-5}")

step "backup.sh"
"${app_env[@]}" BACKUP_KEEP=2 "$here/backup.sh" "$work/backups"
backup="$(find "$work/backups" -mindepth 1 -maxdepth 1 -type d -name 'hbkj-*' | sort | tail -n1)"

step "restore.sh into $target_db"
env -u DATABASE_URL TARGET_DATABASE_URL="$server/$target_db" TARGET_MEDIA_ROOT="$work/restored-media" \
  "$here/restore.sh" "$backup"

step "compare source and restored copy"
compare=(env DATABASE_URL="$server/$source_db" TARGET_DATABASE_URL="$server/$target_db"
  TARGET_MEDIA_ROOT="$work/restored-media" "$python" "$here/backup_tool.py" compare --sample 0)
"${compare[@]}"

step "the check must notice a damaged file"
victim="$(find "$work/restored-media" -type f -name '*.png' | sort | head -n1)"
printf 'x' >>"$victim"
if "${compare[@]}" >"$work/damaged.log" 2>&1 || ! grep -q "document bytes differ or missing: .*${victim##*/}" "$work/damaged.log"; then
  cat "$work/damaged.log" >&2
  echo "restore drill: FAILED, a damaged restored file went unnoticed" >&2
  exit 1
fi

step "restore drill passed"
