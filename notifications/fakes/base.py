"""What both fakes share: mode, the accepted messages (and their JSONL record), control endpoints."""

import argparse
import json
import os
import sys
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

MODES = ("ok", "throttle", "down", "bad_gateway", "permanent", "slow", "error")


class FakeState:
    """Shared by the request threads of one fake server."""

    def __init__(
        self,
        *,
        mode: str = "ok",
        record: str | None = None,
        sign_names: tuple[str, ...] = (),
        templates: tuple[str, ...] = (),
        credential: str = "",
        app_id: str = "",
    ):
        self.lock = threading.Lock()
        self.messages: list[dict[str, Any]] = []
        self.record = record
        # Empty means "any": the fake then only checks that a value is there and well formed.
        self.sign_names = tuple(sign_names)
        self.templates = tuple(templates)
        self.credential = credential
        self.app_id = app_id
        self.stopping = threading.Event()
        self.counter = 0
        self.mode = "ok"
        self.error_code = ""
        self.error_status = 200
        self.delay = 10.0
        self.set_mode({"mode": mode})

    def set_mode(self, data: dict[str, Any]) -> dict[str, Any]:
        mode = data.get("mode")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        if mode == "error" and not data.get("code"):
            raise ValueError('mode "error" needs a "code"')
        with self.lock:
            self.mode = mode
            self.error_code = str(data.get("code") or "")
            self.error_status = int(data.get("status") or 200)
            self.delay = float(data.get("delay") or 10.0)
            return self._mode_view()

    def mode_view(self) -> dict[str, Any]:
        with self.lock:
            return self._mode_view()

    def _mode_view(self) -> dict[str, Any]:
        return {"mode": self.mode, "code": self.error_code, "status": self.error_status, "delay": self.delay}

    def next_id(self) -> int:
        with self.lock:
            self.counter += 1
            return self.counter

    def accept(self, entry: dict[str, Any]) -> None:
        entry = {"received_at": datetime.now(UTC).isoformat(timespec="milliseconds"), **entry}
        with self.lock:
            self.messages.append(entry)
            if self.record:
                with open(self.record, "a", encoding="utf-8") as handle:
                    handle.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def accepted(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.messages)

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


class FakeHandler(BaseHTTPRequestHandler):
    """Routes /_fake/* to the controls and everything else to `api()` of the provider's fake."""

    server_version = "FakeSms/1.0"
    protocol_version = "HTTP/1.1"

    server: "FakeServer"

    @property
    def state(self) -> FakeState:
        return self.server.state

    # ---- plumbing
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's signature
        # The default line holds the query string (numbers, parameters): log the path only.
        if os.environ.get("FAKE_SMS_QUIET"):
            return
        path = urlsplit(getattr(self, "path", "") or "").path
        status = args[1] if len(args) > 1 else ""
        sys.stderr.write(f"[fake {self.provider}] {getattr(self, 'command', '') or '-'} {path} {status}\n")

    def body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def query(self) -> dict[str, Any]:
        return dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))

    def reply(self, status: int, payload: object, content_type: str = "application/json") -> None:
        # Mode "slow": the request was handled (a send accepted and recorded, as a real provider
        # does); only the answer is late, and a client that gave up meanwhile never reads it.
        delay, self.answer_delay = getattr(self, "answer_delay", 0.0), 0.0
        if delay and self.state.stopping.wait(delay):
            status, payload, content_type = 503, {"message": "fake stopping"}, "application/json"
        data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a time-out, a killed worker): what it asked for stands all the same.
            self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802
        self.route()

    def do_POST(self) -> None:  # noqa: N802
        self.route()

    def do_DELETE(self) -> None:  # noqa: N802
        self.route()

    def route(self) -> None:
        path = urlsplit(self.path).path
        body = self.body()
        self.answer_delay = 0.0
        if path.startswith("/_fake/"):
            return self.control(path, body)
        mode = self.state.mode_view()
        if mode["mode"] == "slow":
            self.answer_delay = mode["delay"]
        if mode["mode"] == "down":
            return self.reply(503, self.server_error_payload("ServiceUnavailable"))
        if mode["mode"] == "bad_gateway":
            return self.reply(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
        return self.api(body, mode)

    def control(self, path: str, body: bytes) -> None:
        if path == "/_fake/messages" and self.command == "GET":
            return self.reply(200, self.state.accepted())
        if path == "/_fake/messages" and self.command == "DELETE":
            self.state.clear()
            return self.reply(200, {"cleared": True})
        if path == "/_fake/mode" and self.command == "GET":
            return self.reply(200, self.state.mode_view())
        if path == "/_fake/mode" and self.command == "POST":
            try:
                return self.reply(200, self.state.set_mode(json.loads(body or b"{}")))
            except (ValueError, TypeError, AttributeError) as exc:
                return self.reply(400, {"error": str(exc)})
        if path == "/_fake/health":
            return self.reply(200, {"status": "ok", "provider": self.provider})
        return self.reply(404, {"error": "no such control"})

    # ---- provided by each fake
    provider = ""

    def api(self, body: bytes, mode: dict[str, Any]) -> None:
        raise NotImplementedError

    def server_error_payload(self, code: str) -> dict[str, Any]:
        raise NotImplementedError

    @staticmethod
    def request_id() -> str:
        return str(uuid.uuid4()).upper()


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[FakeHandler], state: FakeState) -> None:
        self.state = state
        super().__init__(address, handler)

    @property
    def url(self) -> str:
        host, port = cast(tuple[str, int], self.server_address[:2])
        return f"http://{host}:{port}"

    def shutdown(self) -> None:
        self.state.stopping.set()
        super().shutdown()


@contextmanager
def running(
    handler: type[FakeHandler], state: FakeState, host: str = "127.0.0.1", port: int = 0
) -> Iterator[FakeServer]:
    """A fake serving in a thread (port 0: any free one); yields the server (`.url`, `.state`)."""
    server = FakeServer((host, port), handler, state)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"fake-{handler.provider}", daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def main(handler: type[FakeHandler], argv: Sequence[str] | None = None, *, default_port: int) -> None:
    parser = argparse.ArgumentParser(description=f"Local fake of the {handler.provider} SMS API (tests, drills).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("FAKE_SMS_PORT", default_port)))
    parser.add_argument("--record", default=os.environ.get("FAKE_SMS_RECORD"), help="append accepted messages (JSONL)")
    parser.add_argument("--mode", default=os.environ.get("FAKE_SMS_MODE", "ok"), choices=MODES)
    parser.add_argument("--sign-name", action="append", default=[], help="accepted sign names (default: any)")
    parser.add_argument("--templates", default="", help="accepted template codes, comma-separated (default: any)")
    parser.add_argument("--credential", default="", help="the only access key / secret id accepted (default: any)")
    parser.add_argument("--app-id", default="", help="Tencent: the only SmsSdkAppId accepted (default: any)")
    args = parser.parse_args(argv)
    state = FakeState(
        mode=args.mode,
        record=args.record,
        sign_names=tuple(args.sign_name),
        templates=tuple(code for code in args.templates.split(",") if code),
        credential=args.credential,
        app_id=args.app_id,
    )
    server = FakeServer((args.host, args.port), handler, state)
    sys.stderr.write(
        f"fake {handler.provider} SMS API on {server.url} (mode {args.mode}, record {args.record or '-'})\n"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
