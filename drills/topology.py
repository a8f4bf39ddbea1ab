"""The processes of the production topology, on 127.0.0.1, each in its own process group.

Every process writes to its own log file in the run's temporary folder; `Topology.stop_all()`
(called from run.py's finally and its signal handlers) stops whatever is still running.
"""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.3):
            return True
    except OSError:
        return False


def wait_until(predicate, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Poll `predicate` until it returns a truthy value; raise TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    cwd: Path | None = None
    proc: subprocess.Popen | None = field(default=None, repr=False)
    starts: int = 0

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, *, wait: float = 30.0) -> None:
        if self.port is not None:
            wait_until(lambda: not port_open(self.port), timeout=15, what=f"port {self.port} to be free ({self.name})")
        self.starts += 1
        log = self.log.open("ab")
        log.write(f"\n===== start #{self.starts} {time.strftime('%H:%M:%S')} {' '.join(self.argv)}\n".encode())
        log.flush()
        self.proc = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() reaches its children too
        )
        log.close()
        # The Makefile's EXIT trap kills these process groups should this interpreter die uncleanly.
        if os.environ.get("DRILLS_PIDFILE"):
            with open(os.environ["DRILLS_PIDFILE"], "a") as pidfile:
                pidfile.write(f"{self.proc.pid}\n")
        if self.port is not None and wait:
            self.wait_listening(timeout=wait)

    def wait_listening(self, *, timeout: float = 30.0) -> None:
        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log}")
            return port_open(self.port)

        wait_until(ready, timeout=timeout, what=f"{self.name} on port {self.port}")

    def signal_main(self, sig: int) -> None:
        """Signal the main process only (e.g. SIGKILL a gunicorn master, its workers stay orphaned)."""
        if self.running:
            os.kill(cast(subprocess.Popen, self.proc).pid, sig)  # running: started

    def kill_group(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, *, timeout: float = 10.0) -> None:
        """SIGTERM the process group, SIGKILL what is left after `timeout` (systemd's stop)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.kill_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        # Whatever is left of the group (orphaned workers) goes too, like systemd's KillMode=control-group.
        self.kill_group(signal.SIGKILL)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self.port is not None:
            try:
                wait_until(lambda: not port_open(self.port), timeout=10, what=f"port {self.port} to close")
            except TimeoutError:
                pass


class Topology:
    def __init__(self):
        self.services: dict[str, Service] = {}

    def add(self, service: Service) -> Service:
        self.services[service.name] = service
        return service

    def __getitem__(self, name: str) -> Service:
        return self.services[name]

    def stop_all(self) -> None:
        for service in reversed(list(self.services.values())):
            try:
                service.stop(timeout=5)
            except Exception as exc:  # noqa: BLE001 - cleanup goes on whatever one service does
                print(f"drills: could not stop {service.name}: {exc}", flush=True)  # noqa: T201


def http_status(url: str, *, headers: dict | None = None, timeout: float = 3.0, context=None) -> int:
    """Status code of a GET (0 when nothing answered)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, urllib.error.URLError):
        return 0
