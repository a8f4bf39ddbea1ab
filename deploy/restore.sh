#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into a NEW, EMPTY database and an empty media folder
# (or an empty bucket). Never restores over live data: stop the app, restore next to it, then
# point DATABASE_URL / MEDIA_ROOT (or STORAGE_BUCKET) at the restored copies.
#
#   deploy/restore.sh BACKUP_PATH
#
# Environment:
#   TARGET_DATABASE_URL     the empty database (createdb -O hbkj hbkj_restored; postgres://...)
#   TARGET_MEDIA_ROOT       the empty folder for the files (local storage), or
#   TARGET_STORAGE_BACKEND=s3 with TARGET_STORAGE_BUCKET (empty; TARGET_STORAGE_ENDPOINT,
#                           TARGET_STORAGE_ACCESS_KEY, ... default to the STORAGE_* ones)
#   RESTORE_MEDIA           0 to restore the database only
#   PYTHON, PG_BIN          as for backup.sh
#
# Checks SHA256SUMS first, restores with pg_restore --no-owner --exit-on-error in one transaction,
# compares every table's row count with the backup's, and every file's SHA-256 with media.sha256.
set -euo pipefail
umask 027

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
}

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  '' | -*) usage >&2; exit 2 ;;
esac
[ $# -eq 1 ] || { usage >&2; exit 2; }

here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-$here/../.venv/bin/python}"
backup="$1"
if [ ! -d "$backup" ]; then
  echo "error: $backup is not a backup folder" >&2
  exit 2
fi
if [ -z "${TARGET_DATABASE_URL:-}" ]; then
  echo "error: TARGET_DATABASE_URL is not set" >&2
  usage >&2
  exit 2
fi
restore_media="${RESTORE_MEDIA:-1}"
if [ "$restore_media" != "0" ] && [ ! -f "$backup/media.tar" ]; then
  echo "error: $backup has no media.tar (a database-only backup): set RESTORE_MEDIA=0" >&2
  exit 2
fi
if [ "$restore_media" != "0" ] && [ "${TARGET_STORAGE_BACKEND:-local}" != "s3" ] && [ -z "${TARGET_MEDIA_ROOT:-}" ]; then
  echo "error: set TARGET_MEDIA_ROOT (or TARGET_STORAGE_BACKEND=s3 and TARGET_STORAGE_BUCKET)" >&2
  exit 2
fi

echo "restore $(basename "$backup")"
"$python" "$here/backup_tool.py" verify "$backup"
"$python" "$here/backup_tool.py" restore "$backup"
if [ "$restore_media" != "0" ]; then
  "$python" "$here/backup_tool.py" unpack-media "$backup"
fi
echo "restored: point DATABASE_URL (and MEDIA_ROOT or STORAGE_BUCKET) at the copies, then run manage.py migrate"
