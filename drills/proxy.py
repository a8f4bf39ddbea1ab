"""A TCP proxy the harness can switch, in front of the S3 server (the storage drill).

pass: forwards bytes both ways; refuse: the port is closed (connection refused, like a stopped
server); hang: connections are accepted and never answered (like a server stuck or a dropped
route). Switching mode cuts the connections open at that moment (pooled keep-alive ones too).
The S3 server itself keeps running, so its objects survive the drill.
"""

import select
import socket
import threading


class SwitchableProxy:
    def __init__(self, listen_port: int, target_port: int, host: str = "127.0.0.1"):
        self.host, self.listen_port, self.target_port = host, listen_port, target_port
        self.mode = "pass"
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ control
    def start(self) -> None:
        self._listen()
        self._thread = threading.Thread(target=self._accept_loop, name="s3-proxy", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._close_listener()
        self._cut_all()

    def set_mode(self, mode: str) -> None:
        assert mode in ("pass", "refuse", "hang"), mode
        with self._lock:
            self.mode = mode
        self._cut_all()
        if mode == "refuse":
            self._close_listener()
        elif self._listener is None:
            self._listen()

    # ------------------------------------------------------------------ internals
    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.listen_port))
        listener.listen(64)
        listener.settimeout(0.2)
        with self._lock:
            self._listener = listener

    def _close_listener(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()

    def _cut_all(self) -> None:
        with self._lock:
            sockets, self._open = self._open, set()
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            listener = self._listener
            if listener is None:
                self._stop.wait(0.05)
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                mode = self.mode
                self._open.add(client)
            if mode == "pass":
                threading.Thread(target=self._pipe, args=(client,), daemon=True).start()
            # hang: keep the accepted socket open and never read or answer it.

    def _pipe(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection((self.host, self.target_port), timeout=5)
        except OSError:
            client.close()
            return
        with self._lock:
            self._open.add(upstream)
        sockets = [client, upstream]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 1.0)
                if self._stop.is_set():
                    return
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for sock in sockets:
                try:
                    sock.close()
                except OSError:
                    pass
