"""A browser-less client for the drills: cookies, CSRF, forms, multipart uploads, TOTP codes (stdlib only)."""

import base64
import hashlib
import hmac
import http.client
import http.cookiejar
import socket
import ssl
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser


def totp(secret_base32: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 code for a base32 secret (what an authenticator app shows)."""
    key = base64.b32decode(secret_base32.upper() + "=" * (-len(secret_base32) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


class _FormParser(HTMLParser):
    """Collects each <form>'s inputs (name → value), selects (name → first non-empty option) and action."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get"), "fields": {}, "options": {}}
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                self._form["options"].setdefault(a["name"], []).append(a.get("value", "on"))
                if "checked" in a:
                    fields[a["name"]] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                fields.setdefault(a["name"], a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            fields.setdefault(a["name"], "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form["options"].setdefault(self._select, [])
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self._form["options"][self._select].append(value)
            if "selected" in a:
                fields[self._select] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def parse_forms(html: str) -> list[dict]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def form_with(html: str, field_name: str) -> dict:
    """The first form holding a field called `field_name`."""
    for form in parse_forms(html):
        if field_name in form["fields"] or field_name in form["options"]:
            return form
    raise LookupError(f"no form with a field {field_name!r}")


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    elapsed: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode())
    for name, (filename, content, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    """HTTPS to the URL's host name (SNI, certificate check) over a TCP connection to `connect_host`."""

    def __init__(self, context, connect_host: str):
        super().__init__(context=context)
        self.context, self.connect_host = context, connect_host

    def https_open(self, req):
        connect_host, context = self.connect_host, self.context

        class Connection(http.client.HTTPSConnection):
            def connect(self):
                sock = socket.create_connection((connect_host, self.port), self.timeout)
                self.sock = context.wrap_socket(sock, server_hostname=self.host)

        return self.do_open(Connection, req, context=context)


class Client:
    """One browser: its own cookies. Never follows redirects by itself (drills count every status)."""

    sent = 0  # requests made by every client (the flow's count in the table)

    def __init__(self, base_url: str, *, cafile: str, connect_host: str = "127.0.0.1", timeout: float = 15.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        context = ssl.create_default_context(cafile=cafile)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect(), _PinnedHTTPSHandler(context, connect_host)
        )

    def request(self, method: str, path: str, *, data: dict | None = None, files: dict | None = None, headers=None):
        url = path if path.startswith("http") else self.base_url + path
        body, all_headers = None, {"Origin": self.base_url, "Referer": url, **(headers or {})}
        if files:
            body, all_headers["Content-Type"] = _multipart(data or {}, files)
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=body, method=method, headers=all_headers)
        Client.sent += 1
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return Response(
                    response.status,
                    {k.lower(): v for k, v in response.headers.items()},
                    response.read(),
                    time.monotonic() - started,
                )
        except urllib.error.HTTPError as exc:
            return Response(
                exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read(), time.monotonic() - started
            )
        except (OSError, urllib.error.URLError) as exc:
            # No HTTP answer at all (connection refused/reset, time-out): status 0.
            return Response(0, {}, str(exc).encode(), time.monotonic() - started)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> Response:
        return self.request("POST", path, data=data, **kwargs)

    def follow(self, response: Response, *, limit: int = 5) -> Response:
        while response.status in (301, 302, 303) and limit:
            response, limit = self.get(response.location), limit - 1
        return response
