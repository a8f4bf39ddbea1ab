"""The request signature of the data-exchange API (also what a client implements; see docs/api.md).

    string_to_sign = METHOD + "\n" + PATH + "\n" + CANONICAL_QUERY + "\n" + TIMESTAMP + "\n" + NONCE
                     + "\n" + hex(SHA-256(body))
    X-Signature    = hex(HMAC-SHA256(secret, string_to_sign))

METHOD upper case; PATH the URL path as sent, percent-decoded (e.g. /api/v1/courses); CANONICAL_QUERY
the query's parameters sorted by name then value, each percent-encoded (RFC 3986, unreserved
characters kept) and joined by "&" (empty without a query); TIMESTAMP Unix seconds (X-Timestamp);
NONCE the X-Nonce header (16–64 of A–Z a–z 0–9 _ -, new for every request); body the raw bytes
(the SHA-256 of nothing for a GET).
"""

import hashlib
import hmac
from urllib.parse import parse_qsl, quote


def canonical_query(query_string: str) -> str:
    pairs = parse_qsl(query_string or "", keep_blank_values=True)
    return "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(pairs))


def string_to_sign(*, method: str, path: str, query_string: str, timestamp: str, nonce: str, body: bytes) -> str:
    return "\n".join(
        [method.upper(), path, canonical_query(query_string), timestamp, nonce, hashlib.sha256(body or b"").hexdigest()]
    )


def sign(secret: str, **parts) -> str:
    return hmac.new(secret.encode(), string_to_sign(**parts).encode(), hashlib.sha256).hexdigest()


def signed_headers(
    *,
    client_id: str,
    secret: str,
    method: str,
    path: str,
    query_string: str = "",
    body: bytes = b"",
    timestamp: int,
    nonce: str,
) -> dict[str, str]:
    """The four headers of a signed request (for clients and tests)."""
    ts = str(int(timestamp))
    signature = sign(secret, method=method, path=path, query_string=query_string, timestamp=ts, nonce=nonce, body=body)
    return {"X-Client-Id": client_id, "X-Timestamp": ts, "X-Nonce": nonce, "X-Signature": signature}
