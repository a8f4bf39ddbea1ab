"""The Python half of deploy/backup.sh and deploy/restore.sh (no Django: psycopg, boto3, stdlib).

    backup_tool.py dump DIR            snapshot-consistent pg_dump of $DATABASE_URL to DIR/db.dump,
                                       row counts of every table in the same snapshot to DIR/tables.json
    backup_tool.py restore DIR         pg_restore DIR/db.dump into $TARGET_DATABASE_URL (must be empty),
                                       then compare its row counts with DIR/tables.json
    backup_tool.py pack-media DIR      uploaded files (MEDIA_ROOT, or the S3 bucket with
                                       STORAGE_BACKEND=s3) to DIR/media.tar + DIR/media.sha256
    backup_tool.py unpack-media DIR    DIR/media.tar to $TARGET_MEDIA_ROOT (empty), or to the empty
                                       bucket $TARGET_STORAGE_BUCKET with TARGET_STORAGE_BACKEND=s3,
                                       checking every file against DIR/media.sha256
    backup_tool.py manifest DIR        DIR/manifest.json and DIR/SHA256SUMS over the backup's files
    backup_tool.py verify DIR          check DIR/SHA256SUMS
    backup_tool.py compare [--sample N]  after a restore: row counts of every table, $DATABASE_URL vs
                                       $TARGET_DATABASE_URL, and the SHA-256 of N documents (all: 0)
                                       recorded on their rows vs the restored files (TARGET_MEDIA_ROOT
                                       or TARGET_STORAGE_BUCKET)

Database URLs are django-environ's (postgres://user:password@host:5432/name?sslmode=require). The
password goes to pg_dump/pg_restore in PGPASSWORD, never on a command line, and is never printed.
pg_dump/pg_restore: from $PG_BIN, else the newest /usr/lib/postgresql/*/bin, else PATH; they must
be at least the server's major version.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit, urlunsplit

POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql", "postgis"}
CHUNK = 1024 * 1024
SAFE_NAME = re.compile(r"^[A-Za-z0-9._/\-]+$")


def out(line: str) -> None:
    """One line for the operator (never a secret)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class BackupError(Exception):
    """A problem the operator must see: printed as one line, exit status 1."""


# --------------------------------------------------------------------------- database


def split_database_url(url: str) -> tuple[str, str]:
    """(libpq URI without the password, password) from a django-environ PostgreSQL URL."""
    parts = urlsplit(url)
    if parts.scheme not in POSTGRES_SCHEMES:
        raise BackupError(f"not a PostgreSQL URL (scheme {parts.scheme!r}); backups are for PostgreSQL only")
    userinfo, at, hostport = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0] if at else ""
    password = unquote(userinfo.split(":", 1)[1]) if at and ":" in userinfo else ""
    netloc = f"{user}@{hostport}" if user else hostport
    return urlunsplit(("postgresql", netloc, parts.path, parts.query, "")), password


def database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def _url_from_env(name: str) -> str:
    url = os.environ.get(name, "")
    if not url:
        raise BackupError(f"{name} is not set")
    return url


def pg_tool(name: str) -> str:
    """Path of pg_dump/pg_restore: $PG_BIN, else the newest /usr/lib/postgresql/<v>/bin, else PATH."""
    if os.environ.get("PG_BIN"):
        return str(Path(os.environ["PG_BIN"]) / name)
    versions = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()),
        key=lambda p: int(p.parent.name),
    )
    for bin_dir in reversed(versions):
        if (bin_dir / name).exists():
            return str(bin_dir / name)
    return name


def _connect(url: str, **kwargs):
    import psycopg

    uri, password = split_database_url(url)
    return psycopg.connect(uri, password=password or None, connect_timeout=10, **kwargs)


def _tool_env(url: str) -> dict[str, str]:
    environment = dict(os.environ)
    _, password = split_database_url(url)
    if password:
        environment["PGPASSWORD"] = password
    return environment


def _tables(conn) -> list[tuple[str, str]]:
    return conn.execute(
        "SELECT schemaname, tablename FROM pg_catalog.pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
    ).fetchall()


def count_rows(conn) -> dict[str, int]:
    """Rows of every table (schema.table → count), in the connection's current transaction."""
    from psycopg import sql

    counts = {}
    for schema, table in _tables(conn):
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        counts[f"{schema}.{table}"] = conn.execute(query).fetchone()[0]
    return counts


def database_counts(url: str) -> dict[str, int]:
    with _connect(url) as conn:
        return count_rows(conn)


def dump(out_dir: Path) -> dict:
    """pg_dump --format=custom of $DATABASE_URL and the row counts of the very same snapshot.

    A REPEATABLE READ transaction exports its snapshot; pg_dump dumps that snapshot while the
    transaction counts the rows, so the counts describe exactly what the dump holds, whatever the
    app writes meanwhile.
    """
    url = _url_from_env("DATABASE_URL")
    uri, _ = split_database_url(url)
    target = out_dir / "db.dump"
    with _connect(url) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        server_version = conn.execute("SHOW server_version").fetchone()[0]
        process = subprocess.Popen(  # noqa: S603 - fixed program, no shell
            [pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={target}", f"--dbname={uri}"],
            env=_tool_env(url),
        )
        try:
            counts = count_rows(conn)
        finally:
            status = process.wait()
        conn.execute("COMMIT")
    if status != 0:
        raise BackupError(f"pg_dump failed (exit status {status})")
    version = subprocess.run(  # noqa: S603
        [pg_tool("pg_dump"), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    info = {
        "database": database_name(url),
        "server_version": server_version,
        "pg_dump": version,
        "tables": counts,
    }
    (out_dir / "tables.json").write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n")
    return info


def restore(backup: Path) -> dict:
    """pg_restore the backup's dump into $TARGET_DATABASE_URL, which must exist and be empty.

    One transaction (--single-transaction --exit-on-error): on any error the target stays empty.
    --no-owner/--no-privileges: the objects belong to the role of TARGET_DATABASE_URL. Afterwards
    every table's row count must equal the one recorded at dump time.
    """
    url = _url_from_env("TARGET_DATABASE_URL")
    uri, _ = split_database_url(url)
    with _connect(url) as conn:
        existing = _tables(conn)
    if existing:
        raise BackupError(
            f"target database {database_name(url)!r} is not empty ({len(existing)} tables): restore into a new one"
        )
    status = subprocess.run(  # noqa: S603
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={uri}",
            str(backup / "db.dump"),
        ],
        env=_tool_env(url),
    ).returncode
    if status != 0:
        raise BackupError(f"pg_restore failed (exit status {status}); the target database was left empty")
    expected = json.loads((backup / "tables.json").read_text())["tables"]
    actual = database_counts(url)
    differences = count_differences(expected, actual)
    if differences:
        raise BackupError("restored row counts differ from the backup's: " + "; ".join(differences))
    return {"database": database_name(url), "tables": len(actual), "rows": sum(actual.values())}


def count_differences(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    """Human-readable differences between two {table: rows} maps (empty when equal)."""
    out = []
    for table in sorted(set(expected) | set(actual)):
        if expected.get(table) != actual.get(table):
            out.append(f"{table}: {expected.get(table, 'missing')} != {actual.get(table, 'missing')}")
    return out


# --------------------------------------------------------------------------- files


class _HashingReader:
    """A file object that hashes what is read through it."""

    def __init__(self, raw):
        self.raw = raw
        self.hash = hashlib.sha256()

    def read(self, size=-1):
        data = self.raw.read(size)
        self.hash.update(data)
        return data


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_name(name: str) -> str:
    if not SAFE_NAME.match(name) or name.startswith("/") or ".." in name.split("/"):
        raise BackupError(f"refusing an unexpected file name in the storage: {name!r}")
    return name


def s3_client(prefix: str = "STORAGE_"):
    """boto3 S3 client from the app's STORAGE_* variables (or TARGET_STORAGE_*, falling back to them)."""
    import boto3
    from botocore.config import Config

    def setting(name):
        return os.environ.get(prefix + name) or os.environ.get("STORAGE_" + name) or None

    endpoint = setting("ENDPOINT")
    style: Literal["auto", "virtual", "path"] = "path" if endpoint else "auto"
    chosen = setting("ADDRESSING_STYLE")
    if chosen in ("auto", "virtual", "path"):
        style = chosen
    elif chosen:
        raise BackupError(f"{prefix}ADDRESSING_STYLE must be auto, virtual or path, not {chosen!r}")
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=setting("ACCESS_KEY"),
        aws_secret_access_key=setting("SECRET_KEY"),
        region_name=setting("REGION"),
        config=Config(s3={"addressing_style": style}, retries={"max_attempts": 5, "mode": "standard"}),
    )


def _local_files(root: Path):
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            raise BackupError(f"refusing a symbolic link in the media folder: {path}")
        if path.is_file():
            yield path.relative_to(root).as_posix(), path


def pack_media(out_dir: Path, *, backend: str, media_root: Path | None = None, bucket: str | None = None, client=None):
    """Every uploaded file into out_dir/media.tar (one read of each file) and its SHA-256 into media.sha256.

    Uncompressed: the files are JPEG, PNG and PDF. The same layout whatever the storage, so a
    backup of S3 can be restored to a folder and the other way round.
    """
    lines = []
    total = 0
    with tarfile.open(out_dir / "media.tar", "w", format=tarfile.PAX_FORMAT) as tar:
        if backend == "s3":
            client = client or s3_client()
            paginator = client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=bucket):
                for item in page.get("Contents", []):
                    name = _check_name(item["Key"])
                    body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"]
                    info = tarfile.TarInfo(name)
                    info.size = item["Size"]
                    info.mtime = item["LastModified"].timestamp()
                    info.mode = 0o640
                    reader = _HashingReader(body)
                    tar.addfile(info, reader)
                    lines.append(f"{reader.hash.hexdigest()}  {name}")
                    total += info.size
        else:
            if media_root is None or not media_root.is_dir():
                raise BackupError(f"media folder {media_root} does not exist")
            for name, path in _local_files(media_root):
                _check_name(name)
                info = tar.gettarinfo(str(path), arcname=name)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                with open(path, "rb") as handle:
                    reader = _HashingReader(handle)
                    tar.addfile(info, reader)
                lines.append(f"{reader.hash.hexdigest()}  {name}")
                total += info.size
    (out_dir / "media.sha256").write_text("".join(line + "\n" for line in lines))
    return {"files": len(lines), "bytes": total, "source": f"s3:{bucket}" if backend == "s3" else "local"}


def read_checksums(path: Path) -> dict[str, str]:
    sums = {}
    for line in path.read_text().splitlines():
        if line.strip():
            digest, name = line.split("  ", 1)
            sums[_check_name(name)] = digest
    return sums


def unpack_media(
    backup: Path, *, backend: str, media_root: Path | None = None, bucket: str | None = None, client=None
) -> dict:
    """The backup's files into an empty folder or an empty bucket, each checked against media.sha256."""
    expected = read_checksums(backup / "media.sha256")
    seen = {}
    if backend == "s3":
        client = client or s3_client("TARGET_STORAGE_")
        if client.list_objects_v2(Bucket=bucket, MaxKeys=1).get("KeyCount", 0):
            raise BackupError(f"target bucket {bucket!r} is not empty: restore into a new one")
        with tarfile.open(backup / "media.tar", "r") as tar:
            for member in tar:
                if not member.isfile():
                    raise BackupError(f"unexpected entry in media.tar: {member.name!r}")
                name = _check_name(member.name)
                extracted = tar.extractfile(member)
                assert extracted is not None  # a regular file (checked above) always has content
                data = extracted.read()
                seen[name] = hashlib.sha256(data).hexdigest()
                if seen[name] != expected.get(name):
                    raise BackupError(f"{name}: content does not match media.sha256")
                client.put_object(Bucket=bucket, Key=name, Body=data)
    else:
        if media_root is None:
            raise BackupError("TARGET_MEDIA_ROOT is not set")
        if media_root.exists() and any(media_root.iterdir()):
            raise BackupError(f"target media folder {media_root} is not empty: restore into a new one")
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(backup / "media.tar", "r") as tar:
            tar.extractall(media_root, filter="data")  # noqa: S202 - the data filter refuses links and escapes
        for name, path in _local_files(media_root):
            seen[name] = sha256_file(path)
    problems = [name for name in sorted(set(expected) | set(seen)) if expected.get(name) != seen.get(name)]
    if problems:
        raise BackupError(f"{len(problems)} restored files do not match media.sha256, e.g. {problems[0]}")
    return {"files": len(seen), "target": f"s3:{bucket}" if backend == "s3" else str(media_root)}


def document_sample(url: str, sample: int) -> list[tuple[str, str]]:
    """(file name, recorded SHA-256) of `sample` random documents (all of them when sample is 0)."""
    query = "SELECT file, sha256 FROM documents_document WHERE file <> ''"
    with _connect(url) as conn:
        if sample:
            return conn.execute(query + " ORDER BY random() LIMIT %s", [sample]).fetchall()
        return conn.execute(query + " ORDER BY file").fetchall()


def check_documents(documents: list[tuple[str, str]], *, read) -> list[str]:
    """Names of documents whose stored bytes (read(name) → bytes, None if missing) differ from their SHA-256."""
    bad = []
    for name, recorded in documents:
        data = read(name)
        if data is None or hashlib.sha256(data).hexdigest() != recorded:
            bad.append(name)
    return bad


def _reader(backend: str, media_root: Path | None, bucket: str | None):
    if backend == "s3":
        client = s3_client("TARGET_STORAGE_")

        def read(name):
            try:
                return client.get_object(Bucket=bucket, Key=name)["Body"].read()
            except client.exceptions.NoSuchKey:
                return None

        return read
    if media_root is None:
        raise BackupError("TARGET_MEDIA_ROOT is not set")
    root = media_root

    def read_file(name):
        path = root / _check_name(name)
        return path.read_bytes() if path.is_file() else None

    return read_file


def compare(sample: int) -> bool:
    """Source vs restored: every table's row count, and a sample of documents' bytes. Prints a table."""
    source = database_counts(_url_from_env("DATABASE_URL"))
    target = database_counts(_url_from_env("TARGET_DATABASE_URL"))
    differences = count_differences(source, target)
    documents = document_sample(_url_from_env("TARGET_DATABASE_URL"), sample)
    read = _reader(
        os.environ.get("TARGET_STORAGE_BACKEND", "local"),
        _env_path("TARGET_MEDIA_ROOT"),
        os.environ.get("TARGET_STORAGE_BUCKET"),
    )
    bad = check_documents(documents, read=read)
    rows = [
        ("tables", len(source), len(target), set(source) == set(target)),
        ("rows, all tables", sum(source.values()), sum(target.values()), not differences),
        ("tables with equal counts", len(source), len(source) - len(differences), not differences),
        ("documents checked (SHA-256)", len(documents), len(documents) - len(bad), not bad and bool(documents)),
    ]
    out(f"{'check':<30} {'source':>10} {'restored':>10}  result")
    for label, left, right, ok in rows:
        out(f"{label:<30} {left:>10} {right:>10}  {'ok' if ok else 'MISMATCH'}")
    for line in differences[:20]:
        out(f"  differs: {line}")
    for name in bad[:20]:
        out(f"  document bytes differ or missing: {name}")
    return all(ok for *_, ok in rows)


# --------------------------------------------------------------------------- manifest

ARTEFACTS = ("db.dump", "tables.json", "media.tar", "media.sha256", "media.json")


def write_manifest(backup: Path, media: dict | None = None) -> dict:
    """manifest.json (what is in the backup) and SHA256SUMS (`sha256sum -c SHA256SUMS` checks it)."""
    files = {name: sha256_file(backup / name) for name in ARTEFACTS if (backup / name).exists()}
    tables = json.loads((backup / "tables.json").read_text())
    manifest = {
        "format": 1,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": tables,
        "media": media,
        "sha256": dict(files),
    }
    (backup / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    files["manifest.json"] = sha256_file(backup / "manifest.json")
    (backup / "SHA256SUMS").write_text("".join(f"{digest}  {name}\n" for name, digest in files.items()))
    return manifest


def verify(backup: Path) -> int:
    sums = backup / "SHA256SUMS"
    if not sums.exists():
        raise BackupError(f"{sums} is missing: not a complete backup")
    checked = 0
    for name, digest in read_checksums(sums).items():
        if not (backup / name).exists() or sha256_file(backup / name) != digest:
            raise BackupError(f"{name} is missing or damaged (SHA-256 differs from SHA256SUMS)")
        checked += 1
    return checked


# --------------------------------------------------------------------------- command line


def _env_path(name: str) -> Path | None:
    return Path(os.environ[name]) if os.environ.get(name) else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "command", choices=["dump", "restore", "pack-media", "unpack-media", "manifest", "verify", "compare"]
    )
    parser.add_argument("dir", nargs="?", type=Path, help="the backup folder")
    parser.add_argument("--sample", type=int, default=200, help="compare: documents to check (0: all)")
    args = parser.parse_args(argv)
    if args.command != "compare" and args.dir is None:
        parser.error("the backup folder is required")
    try:
        if args.command == "dump":
            info = dump(args.dir)
            out(f"database {info['database']}: {len(info['tables'])} tables, {sum(info['tables'].values())} rows")
        elif args.command == "restore":
            info = restore(args.dir)
            out(f"database {info['database']}: {info['tables']} tables, {info['rows']} rows, counts match the backup")
        elif args.command == "pack-media":
            backend = os.environ.get("STORAGE_BACKEND", "local")
            info = pack_media(
                args.dir,
                backend=backend,
                media_root=_env_path("MEDIA_ROOT"),
                bucket=os.environ.get("STORAGE_BUCKET"),
            )
            (args.dir / "media.json").write_text(json.dumps(info) + "\n")
            out(f"files: {info['files']} ({info['bytes']} bytes) from {info['source']}")
        elif args.command == "unpack-media":
            backend = os.environ.get("TARGET_STORAGE_BACKEND", "local")
            info = unpack_media(
                args.dir,
                backend=backend,
                media_root=_env_path("TARGET_MEDIA_ROOT"),
                bucket=os.environ.get("TARGET_STORAGE_BUCKET"),
            )
            out(f"files: {info['files']} restored to {info['target']}, all match media.sha256")
        elif args.command == "manifest":
            media_json = args.dir / "media.json"
            media = json.loads(media_json.read_text()) if media_json.exists() else None
            write_manifest(args.dir, media)
            out(f"manifest: {args.dir / 'manifest.json'}")
        elif args.command == "verify":
            out(f"checksums: {verify(args.dir)} files match SHA256SUMS")
        elif args.command == "compare":
            return 0 if compare(args.sample) else 1
    except BackupError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    except Exception as exc:
        # Database and storage errors as one line (their messages carry no password).
        if type(exc).__module__.split(".")[0] in ("psycopg", "botocore", "boto3"):
            sys.stderr.write(f"error: {type(exc).__name__}: {str(exc).strip()}\n")
            return 1
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
