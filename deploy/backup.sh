#!/usr/bin/env bash
# One backup of 湖北省会计人员管理系统: the database, the uploaded files and a manifest.
#
#   deploy/backup.sh [BACKUP_DIR]
#
# Reads the app's own settings from the environment (systemd: EnvironmentFile=/etc/hbkj/hbkj.env):
#   DATABASE_URL       PostgreSQL to dump (pg_dump --format=custom, one consistent snapshot)
#   STORAGE_BACKEND    local: tar of MEDIA_ROOT; s3: every object of STORAGE_BUCKET (STORAGE_ENDPOINT,
#                      STORAGE_ACCESS_KEY, STORAGE_SECRET_KEY, STORAGE_REGION)
#   BACKUP_DIR         where backups go (or the first argument; default /var/backups/hbkj)
#   BACKUP_KEEP        how many complete backups to keep (default 14; older ones are deleted)
#   BACKUP_MEDIA       0 to back up the database only (e.g. when the bucket is replicated and versioned)
#   PYTHON             the project's virtualenv python (default: .venv/bin/python beside deploy/)
#   PG_BIN             folder of pg_dump (default: the newest /usr/lib/postgresql/*/bin)
#
# Makes BACKUP_DIR/hbkj-<UTC time>/ with db.dump, tables.json (row counts of every table in the
# dumped snapshot), media.tar + media.sha256 (SHA-256 of every file), manifest.json and SHA256SUMS.
# Written as <name>.partial and renamed when complete. Restore with deploy/restore.sh.
set -euo pipefail
umask 077

usage() {
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
}

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  -*) usage >&2; exit 2 ;;
esac
[ $# -le 1 ] || { usage >&2; exit 2; }

here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-$here/../.venv/bin/python}"
backup_root="${1:-${BACKUP_DIR:-/var/backups/hbkj}}"
keep="${BACKUP_KEEP:-14}"
if [ -z "${DATABASE_URL:-}" ]; then
  echo "error: DATABASE_URL is not set" >&2
  usage >&2
  exit 2
fi
case "$keep" in
  '' | *[!0-9]* | 0) echo "error: BACKUP_KEEP must be a positive number" >&2; exit 2 ;;
esac

mkdir -p "$backup_root"
# One backup at a time.
exec 9>"$backup_root/.lock"
if ! flock -n 9; then
  echo "error: another backup is running in $backup_root" >&2
  exit 1
fi
# What a crashed run left behind.
find "$backup_root" -maxdepth 1 -name 'hbkj-*.partial' -type d -exec rm -rf {} +

name="hbkj-$(date -u +%Y%m%dT%H%M%SZ)"
work="$backup_root/$name.partial"
mkdir "$work"
trap 'rm -rf "$work"' ERR INT TERM

echo "backup $name"
"$python" "$here/backup_tool.py" dump "$work"
if [ "${BACKUP_MEDIA:-1}" != "0" ]; then
  "$python" "$here/backup_tool.py" pack-media "$work"
fi
"$python" "$here/backup_tool.py" manifest "$work" >/dev/null
mv "$work" "$backup_root/$name"
trap - ERR INT TERM
echo "complete: $backup_root/$name ($(du -sh "$backup_root/$name" | cut -f1))"

# Retention: the newest $keep complete backups stay (names sort by time).
mapfile -t old < <(find "$backup_root" -maxdepth 1 -type d -name 'hbkj-*' ! -name '*.partial' -printf '%f\n' | sort -r | tail -n +"$((keep + 1))")
for dir in "${old[@]}"; do
  rm -rf "${backup_root:?}/$dir"
  echo "deleted old backup $dir"
done
