"""`make drills`: bring up the production topology on this machine, run a real flow, then fault drills.

    .venv/bin/python -m drills              # everything (about 4-5 minutes)
    .venv/bin/python -m drills --only 1,3   # the setup, the flow and some drills
    DRILLS_KEEP=1 ...                          # keep the temporary folder (logs) afterwards

The topology is the one deploy/ describes, with ports on 127.0.0.1:18700-18799 and files in a
temporary folder: nginx rendered from deploy/nginx/hbkj.conf (by deploy/check-nginx.sh --render, with
both app servers and a certificate for localhost) in front of two gunicorn processes
(deploy/gunicorn.conf.py, the ExecStart of deploy/systemd/hbkj-web.service), a Celery worker and
Celery beat (their systemd units' ExecStart), PostgreSQL (the running cluster, database
hbkj_drills), two Redis servers (cache without persistence; broker with appendonly), a moto S3
server and the Alibaba Cloud SMS fake (notifications/fakes/aliyun.py).

Every process started here is stopped on exit (finally + SIGINT/SIGTERM handlers).
"""

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from .client import Client, form_with, totp
from .proxy import SwitchableProxy
from .topology import Service, Topology, http_status, wait_until

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PYTHON = sys.executable

# Ports (this helper's range 18700-18799).
HTTPS_PORT, HTTP_PORT = 18700, 18701
WEB_PORTS = (18710, 18711)
REDIS_CACHE_PORT, REDIS_BROKER_PORT = 18720, 18721
S3_PORT = 18730  # the moto server; the app reaches it through the switchable proxy (storage drill)
S3_PROXY_PORT = 18731
SMS_PORT = 18740

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # Debian puts it in /usr/sbin

DATABASE = "hbkj_drills"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
HOST = "localhost"  # the certificate's name (SNI); every connection goes to 127.0.0.1
BASE_URL = f"https://{HOST}:{HTTPS_PORT}"
BUCKET = "hbkj-drills"

STAFF_USERNAME, STAFF_PASSWORD = "drill-jiangan", "Drill-Password-2026"
ACCOUNTANT = {"id_number": "420102199001011236", "full_name": "张三", "phone": "13800000001"}
UPLOADER = {"id_number": "420102198503051233", "full_name": "李四", "phone": "13800000002"}

PENDING_FOR_DRILLS = 14  # 4 + 2 + 1 + 3 + 3 decided by the drills, one spare

# The budget of each drill's request loop (bounded in count and in time).
LOOP_SECONDS = 8.0
LOOP_MAX_REQUESTS = 400


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)  # noqa: T201 - a command-line tool


@dataclass
class DrillResult:
    name: str
    survived: bool = False
    requests: int = 0
    five_xx: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def note(self, text: str) -> None:
        self.notes.append(text)
        log(f"  {self.name}: {text}")


class DrillFailed(Exception):
    pass


def check(condition: object, message: str) -> None:
    if not condition:
        raise DrillFailed(message)


# --------------------------------------------------------------------------- the database (harness side)


def sql(query: str, params: tuple = (), *, database_url: str = DATABASE_URL, retries: int = 20):
    """Run one query on a fresh connection (survives PostgreSQL restarts); rows as tuples."""
    import psycopg

    for attempt in range(retries):
        try:
            with psycopg.connect(database_url, autocommit=True, connect_timeout=2) as conn:
                cur = conn.execute(query, params)
                return cur.fetchall() if cur.description else []
        except psycopg.OperationalError:
            if attempt == retries - 1:
                raise
            time.sleep(0.25)
    return []


def captcha_answer(hashkey: str) -> str:
    """The image captcha's answer from django-simple-captcha's table (legitimate for a drill)."""
    rows = sql("SELECT response FROM captcha_captchastore WHERE hashkey = %s", (hashkey,))
    if not rows:
        raise DrillFailed(f"no captcha {hashkey}")
    return rows[0][0]


# --------------------------------------------------------------------------- the SMS fake


def template_code_map() -> dict[str, str]:
    """Our message key -> a template code, for every key registered in notifications/messages.py."""
    keys = re.findall(r'register_template\(\s*"(\w+)"', (ROOT / "notifications" / "messages.py").read_text())
    return {key: f"SMS_{900001 + index}" for index, key in enumerate(keys)}


class SmsFake:
    """The Alibaba Cloud SMS fake (notifications/fakes/aliyun.py) seen from the harness: its control API."""

    def __init__(self, port: int, codes: dict[str, str]):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.keys = {code: key for key, code in codes.items()}

    def argv(self, record: Path) -> list[str]:
        return [
            PYTHON,
            "-m",
            "notifications.fakes.aliyun",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--record",
            str(record),
            "--credential",
            "drills",
        ]

    def _call(self, method: str, path: str, body: dict | None = None):
        import urllib.request

        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
            return json.loads(response.read() or b"null")

    def messages(self) -> list[dict]:
        """Accepted messages, oldest first, each with `template` (our key) added."""
        messages = self._call("GET", "/_fake/messages")
        for message in messages:
            message["template"] = self.keys.get(message["template_code"], message["template_code"])
        return messages

    def set_mode(self, mode: str, **options) -> None:
        self._call("POST", "/_fake/mode", {"mode": mode, **options})

    def code_for(self, phone: str, *, after: int = 0) -> str:
        """The verification code of the newest code message to `phone` (waits for it)."""

        def find():
            for message in reversed(self.messages()[after:]):
                if message["phone"] == phone and message["template"] == "verification_code":
                    return message["params"]["code"]
            return None

        return wait_until(find, timeout=10, what=f"an SMS code to {phone}")


# --------------------------------------------------------------------------- the harness


class Harness:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.topology = Topology()
        self.codes = template_code_map()
        self.sms = SmsFake(SMS_PORT, self.codes)
        self.env = self._app_env()
        self.results: list[DrillResult] = []
        self.cafile = str(workdir / "nginx" / "tls" / "hbkj.crt")
        self.staff: Client | None = None
        self.accountant: Client | None = None
        self.pending: list[int] = []  # submitted 信息采集 applications waiting for a decision
        self.s3_proxy = SwitchableProxy(S3_PROXY_PORT, S3_PORT)
        self.uploader: Client | None = None
        self.uploader_csrf = ""
        self.seeding: subprocess.Popen | None = None
        self.approved: list[int] = []

    # ----------------------------------------------------------------- environment

    def _app_env(self) -> dict[str, str]:
        """What /etc/hbkj/hbkj.env holds in production (deploy/hbkj.env.example), for this machine."""
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "HOME", "TZ")}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "PYTHONUNBUFFERED": "1",
                "DEBUG": "0",
                "SECRET_KEY": "drills-" + os.urandom(24).hex(),
                "ALLOWED_HOSTS": "localhost,127.0.0.1",
                # nginx passes Host without the port; on 443 the origin would match by itself.
                "CSRF_TRUSTED_ORIGINS": BASE_URL,
                "DATABASE_URL": DATABASE_URL,
                "REDIS_URL": f"redis://127.0.0.1:{REDIS_CACHE_PORT}/0",
                "CELERY_BROKER_URL": f"redis://127.0.0.1:{REDIS_BROKER_PORT}/0",
                "CELERY_TASK_ALWAYS_EAGER": "0",
                "HTTPS": "1",
                "BEHIND_PROXY": "1",
                "TRUST_X_FORWARDED_FOR": "1",
                "STATIC_ROOT": str(self.workdir / "nginx" / "static"),
                "STORAGE_BACKEND": "s3",
                "STORAGE_BUCKET": BUCKET,
                "STORAGE_ENDPOINT": f"http://127.0.0.1:{S3_PROXY_PORT}",
                "STORAGE_ACCESS_KEY": "drills",
                "STORAGE_SECRET_KEY": "drills-secret",
                "STORAGE_REGION": "us-east-1",
                "SMS_BACKEND": "aliyun",
                "SMS_ENDPOINT": self.sms.url,
                "SMS_ALIYUN_ACCESS_KEY_ID": "drills",
                "SMS_ALIYUN_ACCESS_KEY_SECRET": "drills-secret",
                "SMS_TEMPLATE_CODES": ",".join(f"{k}={v}" for k, v in self.codes.items()),
                # Short outbox timings so that retries happen within a drill (defaults 30 s / 30 s / 60 s).
                "SMS_RETRY_BASE_SECONDS": "1",
                "SMS_RETRY_MAX_SECONDS": "4",
                "SMS_RELAY_INTERVAL_SECONDS": "2",
                "SMS_LEASE_SECONDS": "12",
                "SMS_READ_TIMEOUT": "8",
                # Every drill request comes from 127.0.0.1: lift the per-IP SMS caps, not the per-phone ones.
                "SMS_IP_HOURLY_LIMIT": "1000",
                "SMS_IP_DAILY_LIMIT": "1000",
                "SMS_LOGIN_ANSWER_SECONDS": "0",
                "GUNICORN_WORKERS": "2",
                "GUNICORN_FORWARDED_ALLOW_IPS": "127.0.0.1",
                "CELERY_CONCURRENCY": "2",
                "LOG_LEVEL": "INFO",
            }
        )
        return env

    def manage(self, *args: str, timeout: float = 120) -> str:
        out = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if out.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
        return out.stdout

    def seed(self, *args: str, timeout: float = 180) -> dict:
        return self.seed_result(self.seed_start(*args), timeout=timeout)

    def seed_start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [PYTHON, "-m", "drills.seed", *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def seed_result(self, proc: subprocess.Popen, *, timeout: float = 180) -> dict:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        if proc.returncode != 0:
            raise RuntimeError(f"drills.seed {cast(list[str], proc.args)[3:]} failed:\n{stdout}\n{stderr}")
        return json.loads(stdout.strip().splitlines()[-1])

    # ----------------------------------------------------------------- the processes

    def _systemd_exec(self, unit: str) -> list[str]:
        """ExecStart of deploy/systemd/<unit>, with /opt/hbkj and /var/lib/hbkj pointing here."""
        text = (ROOT / "deploy" / "systemd" / unit).read_text()
        line = " ".join(
            part.rstrip("\\").strip()
            for part in cast(re.Match[str], re.search(r"^ExecStart=(.+?)(?<!\\)$", text, re.M | re.S))
            .group(1)
            .splitlines()
        )
        line = line.replace("/opt/hbkj/.venv/bin/", f"{VENV_BIN}/").replace("/opt/hbkj/", f"{ROOT}/")
        line = line.replace("/var/lib/hbkj/", f"{self.workdir}/lib/").replace("%H", socket.gethostname())
        line = re.sub(r"\$\{(\w+)\}", lambda m: self.env.get(m.group(1), ""), line)
        return shlex.split(line)

    def add_services(self) -> None:
        logs = self.workdir / "logs"
        logs.mkdir()
        (self.workdir / "lib").mkdir()
        (self.workdir / "redis-broker").mkdir()
        add = self.topology.add
        add(
            Service(
                "redis-cache",
                [
                    "redis-server",
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(REDIS_CACHE_PORT),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                self.env,
                logs / "redis-cache.log",
                port=REDIS_CACHE_PORT,
            )
        )
        add(
            Service(
                "redis-broker",
                [
                    "redis-server",
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(REDIS_BROKER_PORT),
                    "--save",
                    "",
                    "--appendonly",
                    "yes",
                    "--appendfsync",
                    "everysec",
                    "--maxmemory-policy",
                    "noeviction",
                    "--dir",
                    str(self.workdir / "redis-broker"),
                ],
                self.env,
                logs / "redis-broker.log",
                port=REDIS_BROKER_PORT,
            )
        )
        add(
            Service(
                "s3",
                [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(S3_PORT)],
                self.env,
                logs / "s3.log",
                port=S3_PORT,
            )
        )
        add(
            Service(
                "sms", self.sms.argv(self.workdir / "sms.jsonl"), self.env, logs / "sms.log", port=SMS_PORT, cwd=ROOT
            )
        )
        web_argv = self._systemd_exec("hbkj-web.service")
        for index, port in enumerate(WEB_PORTS):
            env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
            add(Service(f"web-{'ab'[index]}", web_argv, env, logs / f"web-{'ab'[index]}.log", port=port, cwd=ROOT))
        add(Service("worker", self._systemd_exec("hbkj-worker.service"), self.env, logs / "worker.log", cwd=ROOT))
        add(Service("beat", self._systemd_exec("hbkj-beat.service"), self.env, logs / "beat.log", cwd=ROOT))
        nginx_conf = self.render_nginx()
        add(
            Service(
                "nginx",
                [NGINX, "-p", str(nginx_conf.parent), "-c", str(nginx_conf), "-g", "daemon off;"],
                self.env,
                logs / "nginx.log",
                port=HTTPS_PORT,
            )
        )

    def render_nginx(self) -> Path:
        """deploy/nginx/hbkj.conf through deploy/check-nginx.sh --render, then this machine's addresses."""
        prefix = self.workdir / "nginx"
        (prefix / "tls").mkdir(parents=True)
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                f"/CN={HOST}",
                "-addext",
                f"subjectAltName=DNS:{HOST},IP:127.0.0.1",
                "-keyout",
                str(prefix / "tls" / "hbkj.key"),
                "-out",
                str(prefix / "tls" / "hbkj.crt"),
            ],
            check=True,
            capture_output=True,
        )
        out = subprocess.run(
            ["bash", str(ROOT / "deploy" / "check-nginx.sh"), "--render", str(prefix)],
            env={**os.environ, "HTTP_PORT": str(HTTP_PORT), "HTTPS_PORT": str(HTTPS_PORT), "NGINX": NGINX},
            check=True,
            capture_output=True,
            text=True,
        )
        conf = Path(out.stdout.strip().splitlines()[-1])
        site = prefix / "hbkj.conf"
        text = site.read_text()
        # Both app servers of this machine instead of the example addresses.
        servers = "\n".join(f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;" for port in WEB_PORTS)
        text, count = re.subn(r"(upstream hbkj_app \{\n)(?:\s*server [^\n]+\n)+", rf"\g<1>{servers}\n", text)
        check(count == 1, "deploy/nginx/hbkj.conf: no upstream hbkj_app block with server lines")
        text = text.replace("server_name hbkj.example.gov.cn;", f"server_name {HOST};")
        # Loopback only: IPv4 127.0.0.1, no [::] listeners.
        text = re.sub(r"^\s*listen \[::\]:[^\n]*\n", "", text, flags=re.M)
        text = re.sub(r"listen (\d+)", r"listen 127.0.0.1:\1", text)
        site.write_text(text)
        # nginx's workers run as nobody: they read the static files and write body buffers here.
        for path in (self.workdir, prefix):
            path.chmod(0o755)
        test = subprocess.run([NGINX, "-t", "-q", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True)
        check(test.returncode == 0, f"nginx -t failed: {test.stderr}")
        return conf

    def prepare_database(self) -> None:
        """A fresh database and bucket, as a deployment does it (README): migrate, collectstatic, create_staff."""
        sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", database_url=PG_ADMIN_URL)
        sql(f"CREATE DATABASE {DATABASE}", database_url=PG_ADMIN_URL)
        # collectstatic first: with DEBUG=0 the manifest must exist before anything loads the URLconf
        # (config/urls.py resolves a static URL at import time). storage_check and check --deploy run while migrate does.
        self.manage("collectstatic", "--noinput")
        side = {
            " ".join(args): subprocess.Popen(
                [PYTHON, "manage.py", *args],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for args in (("storage_check", "--create-bucket"), ("check", "--deploy", "--fail-level", "WARNING"))
        }
        started = time.monotonic()
        self.manage("migrate", "--noinput")
        log(f"  migrate {time.monotonic() - started:.0f}s")
        out = self.manage(
            "create_staff",
            STAFF_USERNAME,
            "--name",
            "演练审核员",
            "--role",
            "reviewer",
            "--unit",
            "420102",
            "--password",
            STAFF_PASSWORD,
        )
        self.staff_secret = cast(re.Match[str], re.search(r"TOTP secret \(shown once\): (\w+)", out)).group(1)
        for name, proc in side.items():
            output, _ = proc.communicate(timeout=120)
            check(proc.returncode == 0, f"manage.py {name} failed: {output[-800:]}")

    def preflight(self) -> None:
        missing = [
            hint
            for ok, hint in (
                (os.path.exists(NGINX), "nginx (apt-get install nginx-light)"),
                (shutil.which("redis-server"), "redis-server (apt-get install redis-server)"),
                (shutil.which("pg_ctlcluster"), "pg_ctlcluster (postgresql-common)"),
                (shutil.which("openssl"), "openssl"),
            )
            if not ok
        ]
        check(not missing, f"missing: {', '.join(missing)}")
        try:
            sql("SELECT 1", database_url=PG_ADMIN_URL, retries=1)
        except Exception as exc:  # noqa: BLE001 - one clear line instead of a traceback
            raise DrillFailed(f"PostgreSQL on 127.0.0.1:5432 (user postgres) does not answer: {exc}") from None

    def up(self) -> None:
        t = self.topology
        self.preflight()
        self.add_services()
        for name in ("redis-cache", "redis-broker", "s3", "sms"):
            t[name].start()
        self.s3_proxy.start()
        log("redis x2, moto S3 (behind the drill's switchable proxy), SMS fake: up")
        self.prepare_database()
        log("database migrated, static collected, bucket and staff account created")
        for name in ("web-a", "web-b"):
            t[name].start(wait=0)
        t["worker"].start()
        t["beat"].start()
        for name in ("web-a", "web-b"):
            t[name].wait_listening(timeout=60)
        t["nginx"].start()
        for port in WEB_PORTS:
            self.wait_ready(port)
        wait_until(lambda: self.client().get("/").status == 200, timeout=20, what="the home page through nginx")
        log(f"nginx on {BASE_URL} in front of gunicorn on {WEB_PORTS}; worker and beat running")

    def ready_status(self, port: int) -> int:
        """/readyz of one app server, asked directly (as nginx would, with the forwarded scheme)."""
        return http_status(f"http://127.0.0.1:{port}/readyz", headers={"X-Forwarded-Proto": "https", "Host": HOST})

    def wait_ready(self, port: int, timeout: float = 30) -> None:
        wait_until(lambda: self.ready_status(port) == 200, timeout=timeout, what=f"/readyz on {port}")

    def client(self) -> Client:
        return Client(BASE_URL, cafile=self.cafile, connect_host="127.0.0.1")

    # ----------------------------------------------------------------- the flow

    def captcha_fields(self, html: str) -> dict:
        form = form_with(html, "captcha_0")
        hashkey = form["fields"]["captcha_0"]
        return {"captcha_0": hashkey, "captcha_1": captcha_answer(hashkey)}

    def request_code(self, client: Client, purpose: str, person: dict):
        page = client.get(f"/accounts/{purpose}/")
        check(page.status == 200, f"GET /accounts/{purpose}/ answered {page.status}")
        form = form_with(page.text, "csrfmiddlewaretoken")
        data = {
            "csrfmiddlewaretoken": form["fields"]["csrfmiddlewaretoken"],
            "purpose": purpose,
            "id_type": "resident_id",
            "id_number": person["id_number"],
            "phone": person["phone"],
            **self.captcha_fields(page.text),
        }
        if purpose == "register":
            data["full_name"] = person["full_name"]
        return client.post("/accounts/send-code/", data), data

    def sign_up(self, person: dict) -> Client:
        """注册 through nginx: image captcha, SMS code from the fake, then the form."""
        client = self.client()
        before = len(self.sms.messages())
        response, data = self.request_code(client, "register", person)
        check(response.status == 200, f"send-code answered {response.status}")
        data.update(sms_code=self.sms.code_for(person["phone"], after=before), captcha_0="", captcha_1="")
        response = client.post("/accounts/register/", data)
        check(response.status == 302, f"register answered {response.status}: {response.text[:300]}")
        return client

    def collection_photo_step(self, client: Client) -> None:
        """信息采集 step 1 (个人信息) with a photo: the multipart POST goes through nginx into S3."""
        from documents.tests import corpus

        response = client.post("/dossier/collect/", {"csrfmiddlewaretoken": self.csrf(client, "/dossier/collect/")})
        check(response.status == 302, f"start collection answered {response.status}")
        step_url = response.location
        page = client.get(step_url)
        check(page.status == 200, f"GET {step_url} answered {page.status}")
        form = form_with(page.text, "address")
        data = dict(form["fields"])
        for name, options in form["options"].items():
            if not data.get(name):
                data[name] = next((o for o in options if o), "")
        data.update(address="武汉市江岸区沿江大道1号", email="zhangsan@example.com", action="next")
        data.pop("photo", None)
        files = {"photo-file": ("me.jpg", corpus.portrait(size=(600, 840)), "image/jpeg")}
        response = client.request("POST", step_url, data=data, files=files)
        check(response.status == 302, f"photo step answered {response.status}: {response.text[-800:]}")

    def csrf(self, client: Client, path: str) -> str:
        page = client.get(path)
        return form_with(page.text, "csrfmiddlewaretoken")["fields"]["csrfmiddlewaretoken"]

    def staff_sign_in(self) -> Client:
        client = self.client()
        page = client.get("/accounts/staff/login/")
        form = form_with(page.text, "username")
        data = dict(form["fields"])
        data.update(username=STAFF_USERNAME, password=STAFF_PASSWORD, otp_token=totp(self.staff_secret))
        response = client.post("/accounts/staff/login/", data)
        check(response.status == 302, f"staff sign-in answered {response.status}: {response.text[-500:]}")
        return client

    def approve(self, application_id: int) -> int:
        """Approve through nginx (the reviewer's page, then the button). Returns the POST's status."""
        staff = cast(Client, self.staff)  # signed in by prepare_drills
        page = staff.get(f"/reviews/{application_id}/")
        if page.status != 200:
            return page.status
        form = form_with(page.text, "version")
        response = staff.post(f"/reviews/{application_id}/approve/", form["fields"])
        if response.status == 302:
            self.approved.append(application_id)
        return response.status

    def flow(self) -> DrillResult:
        result = DrillResult("flow")
        started, sent = time.monotonic(), Client.sent
        # The applications the drills decide are seeded meanwhile (a separate process).
        self.seeding = self.seed_start("pending", str(PENDING_FOR_DRILLS))
        self.accountant = self.sign_up(ACCOUNTANT)
        result.note("registered through nginx (captcha from the database, SMS code from the fake)")
        self.collection_photo_step(self.accountant)
        objects = self.s3_objects()
        check(any(key for key in objects), "no object in the S3 bucket after the photo step")
        result.note(f"photo step saved; {len(objects)} object(s) in S3")
        submitted = self.seed("finish", ACCOUNTANT["id_number"])
        result.note(f"rest of the 信息采集 filled and submitted (application {submitted['application']})")
        self.staff = self.staff_sign_in()
        result.note("staff signed in with password + TOTP")
        status = self.approve(submitted["application"])
        check(status == 302, f"approve answered {status}")
        self.wait_delivered([submitted["application"]], timeout=30)
        arrived = [
            m
            for m in self.sms.messages()
            if m["phone"] == ACCOUNTANT["phone"] and m["template"] == "application_approved"
        ]
        check(len(arrived) == 1, f"approval SMS at the fake: {len(arrived)}")
        result.note("approved; the approval SMS arrived at the fake")
        result.survived, result.requests, result.seconds = True, Client.sent - sent, time.monotonic() - started
        return result

    def prepare_drills(self) -> None:
        """A second accountant (uploads in the storage drill) and pending applications to decide."""
        self.uploader = self.sign_up(UPLOADER)
        self.uploader_csrf = self.csrf(self.uploader, "/dossier/collect/")
        self.pending = self.seed_result(cast(subprocess.Popen, self.seeding))["applications"]
        log(f"{len(self.pending)} pending applications seeded for the drills")

    def heal(self) -> None:
        """Whatever a failed drill left broken comes back before the next one."""
        try:
            sql("SELECT 1", database_url=PG_ADMIN_URL, retries=4)
        except Exception:  # noqa: BLE001 - PostgreSQL left down by drill 2: start it again
            version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[0]
            log(f"starting PostgreSQL {version}/main again")
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False)
        self.s3_proxy.set_mode("pass")
        try:
            self.sms.set_mode("ok")
        except OSError:
            pass
        for service in self.topology.services.values():
            if not service.running:
                log(f"restarting {service.name}")
                service.stop(timeout=2)
                service.start()
        for port in WEB_PORTS:
            try:
                self.wait_ready(port, timeout=20)
            except TimeoutError as exc:
                log(f"heal: {exc}")

    def s3_objects(self) -> list[str]:
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{S3_PORT}",
            aws_access_key_id="drills",
            aws_secret_access_key="drills-secret",
            region_name="us-east-1",
        )
        return [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]

    # ----------------------------------------------------------------- notifications

    def approval_rows(self, application_ids: list[int]) -> dict[int, list[tuple]]:
        rows = sql(
            "SELECT dedupe_key, status, attempts, id, phone FROM notifications_notification "
            "WHERE template = 'application_approved' AND dedupe_key LIKE 'reviews:%%'"
        )
        by_app: dict[int, list[tuple]] = {}
        for row in rows:
            by_app.setdefault(int(row[0].split(":")[1]), []).append(row)
        return {app: by_app.get(app, []) for app in application_ids}

    def wait_delivered(self, application_ids: list[int], *, timeout: float) -> None:
        def all_sent():
            rows = self.approval_rows(application_ids)
            return all(len(r) == 1 and r[0][1] == "sent" for r in rows.values())

        wait_until(all_sent, timeout=timeout, interval=0.5, what=f"approval SMS of {application_ids} to be sent")

    def fake_counts(self) -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], int] = {}
        for message in self.sms.messages():
            key = (message["phone"], message["template"])
            counts[key] = counts.get(key, 0) + 1
        return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated drill numbers (default: all)")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="hbkj-drills-"))
    harness = Harness(workdir)
    failed = True

    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    started = time.monotonic()
    try:
        from . import faults

        harness.up()
        harness.results.append(harness.flow())
        failed = faults.run_all(harness, only={int(n) for n in args.only.split(",") if n})
    finally:
        log("stopping everything started here")
        if harness.seeding is not None and harness.seeding.poll() is None:
            harness.seeding.kill()
        harness.s3_proxy.stop()
        harness.topology.stop_all()
        if os.environ.get("DRILLS_KEEP") or failed:
            log(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    log(f"total {time.monotonic() - started:.0f}s")
    return 1 if failed else 0
