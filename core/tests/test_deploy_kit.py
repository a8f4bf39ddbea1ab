"""The deployment kit in deploy/: the environment example, the backup tool, nginx and the shell scripts.

The end-to-end proof of backup and restore is the restore drill (make restore-drill, run by CI);
these tests cover the parts that can go wrong on their own, without PostgreSQL.
"""

import hashlib
import http.server
import importlib.util
import io
import json
import re
import shutil
import socket
import ssl
import subprocess
import tarfile
import tempfile
import threading
from pathlib import Path

import pytest
from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"


def _load_backup_tool():
    spec = importlib.util.spec_from_file_location("hbkj_backup_tool", DEPLOY / "backup_tool.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


backup_tool = _load_backup_tool()


# --------------------------------------------------------------------------- environment example

SETTINGS_READ = re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")
EXAMPLE_LINE = re.compile(r"^#?([A-Z][A-Z0-9_]*)=")


def _example_names() -> set[str]:
    text = (DEPLOY / "hbkj.env.example").read_text()
    return {m.group(1) for line in text.splitlines() if (m := EXAMPLE_LINE.match(line))}


def test_every_variable_the_settings_read_is_in_the_environment_example():
    source = (Path(settings.BASE_DIR) / "config" / "settings.py").read_text()
    read = set(SETTINGS_READ.findall(source))
    assert len(read) > 30, "the pattern no longer finds the settings' env() calls"
    missing = sorted(read - _example_names())
    assert not missing, f"add these to deploy/hbkj.env.example: {missing}"


def test_the_environment_example_is_a_valid_environment_file():
    for number, line in enumerate((DEPLOY / "hbkj.env.example").read_text().splitlines(), 1):
        if line and not line.startswith("#"):
            assert re.match(r"^[A-Z][A-Z0-9_]*=\S*$", line), f"line {number} is not KEY=value: {line!r}"
    assert {"DATABASE_URL", "SECRET_KEY", "BEHIND_PROXY", "TRUST_X_FORWARDED_FOR"} <= _example_names()


# --------------------------------------------------------------------------- database URLs


@pytest.mark.parametrize(
    ("url", "uri", "password"),
    [
        ("postgres://hbkj:s%40cret@db:5432/hbkj", "postgresql://hbkj@db:5432/hbkj", "s@cret"),
        ("psql://u:p@h/n?sslmode=require", "postgresql://u@h/n?sslmode=require", "p"),
        ("postgres://postgres@127.0.0.1:5432/x", "postgresql://postgres@127.0.0.1:5432/x", ""),
        ("postgres://%2Fvar%2Frun%2Fpostgresql/hbkj", "postgresql://%2Fvar%2Frun%2Fpostgresql/hbkj", ""),
    ],
)
def test_the_password_is_taken_out_of_the_database_url(url, uri, password):
    assert backup_tool.split_database_url(url) == (uri, password)


def test_only_postgresql_urls_are_backed_up():
    with pytest.raises(backup_tool.BackupError, match="PostgreSQL"):
        backup_tool.split_database_url("sqlite:////var/lib/hbkj/db.sqlite3")


# --------------------------------------------------------------------------- files


@pytest.fixture
def media(tmp_path):
    root = tmp_path / "media"
    files = {
        "docs/2026/01/a.jpg": b"\xff\xd8first",
        "docs/2026/02/b.pdf": b"%PDF-1.7 second",
        "docs/2026/02/c.png": bytes(range(256)) * 50,
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root, files


def test_files_are_packed_with_their_sha256_and_restored_into_an_empty_folder(tmp_path, media):
    root, files = media
    backup = tmp_path / "backup"
    backup.mkdir()
    info = backup_tool.pack_media(backup, backend="local", media_root=root)
    assert info["files"] == 3
    assert backup_tool.read_checksums(backup / "media.sha256") == {
        name: hashlib.sha256(data).hexdigest() for name, data in files.items()
    }
    target = tmp_path / "restored"
    assert backup_tool.unpack_media(backup, backend="local", media_root=target)["files"] == 3
    assert {p.relative_to(target).as_posix(): p.read_bytes() for p in target.rglob("*") if p.is_file()} == files


def test_a_damaged_archive_is_refused(tmp_path, media):
    root, _ = media
    backup = tmp_path / "backup"
    backup.mkdir()
    backup_tool.pack_media(backup, backend="local", media_root=root)
    first, rest = (backup / "media.sha256").read_text().split("\n", 1)
    (backup / "media.sha256").write_text("0" * 64 + first[64:] + "\n" + rest)
    with pytest.raises(backup_tool.BackupError, match="do not match"):
        backup_tool.unpack_media(backup, backend="local", media_root=tmp_path / "restored")


def test_files_are_never_restored_over_existing_ones(tmp_path, media):
    root, _ = media
    backup = tmp_path / "backup"
    backup.mkdir()
    backup_tool.pack_media(backup, backend="local", media_root=root)
    with pytest.raises(backup_tool.BackupError, match="not empty"):
        backup_tool.unpack_media(backup, backend="local", media_root=root)


def test_an_archive_entry_escaping_the_folder_is_refused(tmp_path):
    backup = tmp_path / "backup"
    backup.mkdir()
    with tarfile.open(backup / "media.tar", "w") as tar:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    (backup / "media.sha256").write_text(f"{hashlib.sha256(b'x').hexdigest()}  docs/x.txt\n")
    with pytest.raises(tarfile.TarError):
        backup_tool.unpack_media(backup, backend="local", media_root=tmp_path / "restored")
    assert not (tmp_path / "outside.txt").exists()


def test_the_manifest_notices_a_damaged_backup(tmp_path, media):
    root, _ = media
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "db.dump").write_bytes(b"PGDMP fake dump")
    (backup / "tables.json").write_text(json.dumps({"database": "x", "tables": {"public.t": 3}}))
    media_info = backup_tool.pack_media(backup, backend="local", media_root=root)
    manifest = backup_tool.write_manifest(backup, media_info)
    assert manifest["database"]["tables"] == {"public.t": 3}
    assert set(manifest["sha256"]) == {"db.dump", "tables.json", "media.tar", "media.sha256"}
    assert backup_tool.verify(backup) == 5
    with open(backup / "db.dump", "ab") as handle:
        handle.write(b"!")
    with pytest.raises(backup_tool.BackupError, match="db.dump"):
        backup_tool.verify(backup)


def test_row_count_differences_name_the_table():
    assert backup_tool.count_differences({"a": 1, "b": 2}, {"a": 1, "b": 2}) == []
    assert backup_tool.count_differences({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 0}) == [
        "b: 2 != 3",
        "c: missing != 0",
    ]


def test_documents_whose_bytes_differ_from_their_recorded_sha256_are_named():
    stored = {"docs/a.jpg": b"a", "docs/b.jpg": b"b-damaged"}
    rows = [
        ("docs/a.jpg", hashlib.sha256(b"a").hexdigest()),
        ("docs/b.jpg", hashlib.sha256(b"b").hexdigest()),
        ("docs/gone.jpg", hashlib.sha256(b"c").hexdigest()),
    ]
    assert backup_tool.check_documents(rows, read=stored.get) == ["docs/b.jpg", "docs/gone.jpg"]


def test_a_bucket_is_backed_up_and_restored_into_an_empty_bucket(tmp_path):
    moto = pytest.importorskip("moto")
    import boto3

    with moto.mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="live")
        client.create_bucket(Bucket="restored")
        objects = {f"docs/2026/0{i}/{i}.jpg": bytes([i]) * (1000 * i) for i in range(1, 4)}
        for key, data in objects.items():
            client.put_object(Bucket="live", Key=key, Body=data)
        backup = tmp_path / "backup"
        backup.mkdir()
        info = backup_tool.pack_media(backup, backend="s3", bucket="live", client=client)
        assert (info["files"], info["bytes"]) == (3, 6000)
        backup_tool.unpack_media(backup, backend="s3", bucket="restored", client=client)
        restored = {
            item["Key"]: client.get_object(Bucket="restored", Key=item["Key"])["Body"].read()
            for item in client.list_objects_v2(Bucket="restored")["Contents"]
        }
        assert restored == objects
        with pytest.raises(backup_tool.BackupError, match="not empty"):
            backup_tool.unpack_media(backup, backend="s3", bucket="live", client=client)


# --------------------------------------------------------------------------- shell scripts


def test_the_shell_scripts_pass_shellcheck():
    if not shutil.which("shellcheck"):
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    scripts = sorted(str(p) for p in DEPLOY.glob("*.sh"))
    result = subprocess.run(["shellcheck", *scripts], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("script", ["backup.sh", "restore.sh", "restore_drill.sh", "check-nginx.sh"])
def test_the_scripts_explain_themselves(script):
    result = subprocess.run([str(DEPLOY / script), "--help"], capture_output=True, text=True, timeout=10)
    assert result.returncode == 0
    assert "Environment" in result.stdout or "environment" in result.stdout


def test_backup_without_a_database_url_stops_with_a_message(tmp_path):
    result = subprocess.run(
        [str(DEPLOY / "backup.sh"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=10,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert "DATABASE_URL is not set" in result.stderr


# --------------------------------------------------------------------------- nginx

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light)")


@needs_nginx
def test_nginx_accepts_the_configuration():
    result = subprocess.run([str(DEPLOY / "check-nginx.sh")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def _free_port() -> int:
    """A free loopback port, chosen by the kernel (a busy fixed range must not skip the test)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Echo(http.server.BaseHTTPRequestHandler):
    """The app server's stand-in: answers with the headers nginx sent."""

    def do_GET(self):  # noqa: N802 - http.server's naming
        body = json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def nginx_in_front():
    """nginx with the rendered configuration on 127.0.0.1, in front of an echo server."""
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", _free_port()), _Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    http_port = _free_port()
    with socket.socket() as hold:
        hold.bind(("127.0.0.1", http_port))
        https_port = _free_port()
    prefix = Path(tempfile.mkdtemp(prefix="hbkj-nginx-"))
    prefix.chmod(0o755)
    environment = {
        "PATH": "/usr/sbin:/usr/bin:/bin",
        "HTTP_PORT": str(http_port),
        "HTTPS_PORT": str(https_port),
        "UPSTREAM": f"127.0.0.1:{upstream.server_port}",
    }
    subprocess.run([str(DEPLOY / "check-nginx.sh"), "--render", str(prefix)], check=True, env=environment)
    conf = (prefix / "nginx.conf").read_text().replace("listen [::]:", "#listen [::]:")
    (prefix / "nginx.conf").write_text(conf)
    hbkj = (prefix / "hbkj.conf").read_text().replace("listen [::]:", "#listen [::]:")
    hbkj = hbkj.replace(f"listen {http_port}", f"listen 127.0.0.1:{http_port}")
    hbkj = hbkj.replace(f"listen {https_port}", f"listen 127.0.0.1:{https_port}")
    (prefix / "hbkj.conf").write_text(hbkj)
    subprocess.run([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "user root;"], check=True)
    try:
        yield http_port, https_port
    finally:
        subprocess.run([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-s", "stop"], check=False)
        upstream.shutdown()
        shutil.rmtree(prefix, ignore_errors=True)


@needs_nginx
@pytest.mark.filterwarnings("ignore:Unverified HTTPS request")
def test_nginx_redirects_to_https_overwrites_the_client_address_and_limits_bodies(nginx_in_front):
    import urllib3

    http_port, https_port = nginx_in_front
    plain = urllib3.HTTPConnectionPool("127.0.0.1", http_port, headers={"Host": "hbkj.example.gov.cn"})
    redirect = plain.request("GET", "/dossier/?a=1", redirect=False)
    assert redirect.status == 301
    assert redirect.headers["Location"] == "https://hbkj.example.gov.cn/dossier/?a=1"
    health = plain.request("GET", "/healthz", redirect=False)
    assert health.status == 200
    assert json.loads(health.data)["headers"]["x-forwarded-proto"] == "http"

    tls = urllib3.HTTPSConnectionPool(
        "127.0.0.1",
        https_port,
        server_hostname="hbkj.example.gov.cn",
        cert_reqs="CERT_NONE",
        assert_hostname=False,
        headers={"Host": "hbkj.example.gov.cn"},
    )
    answer = tls.request("GET", "/reviews/", headers={"Host": "hbkj.example.gov.cn", "X-Forwarded-For": "6.6.6.6"})
    assert answer.status == 200, answer.data[:500]
    echoed = json.loads(answer.data)
    assert echoed["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert echoed["headers"]["x-forwarded-proto"] == "https"
    assert echoed["headers"]["host"] == "hbkj.example.gov.cn"
    assert re.fullmatch(r"[0-9a-f]{32}", echoed["headers"]["x-request-id"])
    assert tls.request("GET", "/metrics").status == 200  # from 127.0.0.1, an internal address
    with pytest.raises(urllib3.exceptions.ProtocolError):  # another Host: connection closed, no answer
        tls.request("GET", "/", headers={"Host": "evil.example.com"}, retries=False)
    assert tls.request("GET", "/static/missing.css").status == 404  # served by nginx, not the app
    # A body over client_max_body_size (50 MB): refused on its Content-Length, with a page in Chinese.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection(("127.0.0.1", https_port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="hbkj.example.gov.cn") as conn,
    ):
        conn.sendall(
            b"POST /dossier/collect/ HTTP/1.1\r\nHost: hbkj.example.gov.cn\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: %d\r\n\r\n" % (51 * 1024 * 1024)
        )
        response = b""
        while b"</html>" not in response and (chunk := conn.recv(65536)):
            response += chunk
    assert response.startswith(b"HTTP/1.1 413")
    assert "文件过大" in response.decode()


@pytest.mark.django_db
def test_a_restore_into_a_database_with_tables_is_refused(tmp_path, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("backups are for PostgreSQL (make test-postgres)")
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    monkeypatch.setenv("TARGET_DATABASE_URL", url)
    (tmp_path / "db.dump").write_bytes(b"not reached")
    (tmp_path / "tables.json").write_text('{"tables": {}}')
    with pytest.raises(backup_tool.BackupError, match="is not empty"):
        backup_tool.restore(tmp_path)
