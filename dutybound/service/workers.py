"""Several server processes on one port, each with its own listening socket (``SO_REUSEPORT``).

Why not uvicorn's ``--workers``: its processes share one listening socket, and the process that
wakes first accepts every connection waiting in the backlog. Clients that open their keep-alive
connections together (a connection pool, bench/bench_service.py) then all land on one process
while the other idles: measured on the 2-core machine, 10 connections opened at once split 10/0
in three of five trials and 9/1 in a fourth, and POST /check at 10 clients ran at the speed of
one process. With one socket per process in a ``SO_REUSEPORT`` group, the kernel assigns each
new connection to a process by a hash of its addresses and ports, whoever happens to be awake.

Only Linux spreads connections over a ``SO_REUSEPORT`` group this way; elsewhere ``run`` in
``service.app`` uses uvicorn's own workers. Joining a group needs the same user and the same
option on every socket, so before starting, the port is bound once *without* the option: a
dutybound server already running there (which would otherwise share the traffic silently) or any
other program makes that bind fail, and nothing is started.

The supervisor starts the processes, restarts one that dies after it started serving, stops
everything when one fails at startup (a bad database URL fails the same way every time), and on
SIGINT or SIGTERM asks each process to finish its requests and exit. A process whose supervisor
is gone stops itself.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import threading
from multiprocessing.synchronize import Event
from typing import Any

log = logging.getLogger("dutybound.service")
STOP_SECONDS = 30.0  # time given to a process to finish its requests before it is killed


def supported() -> bool:
    """Whether the kernel balances connections over a SO_REUSEPORT group (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int, reuse_port: bool) -> socket.socket:
    """A bound TCP socket; IPv6 when the host has a colon, as uvicorn decides."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _stop_when_orphaned() -> None:
    """SIGTERM this process when the supervisor is gone (killed with SIGKILL, say): a process
    left alone would keep answering on the port with nobody to stop or replace it."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def _worker(host: str, port: int, options: dict[str, Any], started: Event) -> None:
    """One server process: load the application (rule pack, database), then join the group."""
    import uvicorn

    from dutybound.service.app import app_from_env, server_config

    _stop_when_orphaned()

    app = app_from_env()  # before binding: no connection waits on a process still loading
    sock = listening_socket(host, port, reuse_port=True)
    # listening from here (uvicorn listens again when it starts serving, a moment later):
    # the supervisor's "listening" line then means every process takes connections
    sock.listen(options.get("backlog", 2048))
    started.set()
    config = server_config(app, app.state.service.settings, **options)
    uvicorn.Server(config).run(sockets=[sock])


class _Supervisor:
    def __init__(self, host: str, port: int, workers: int, options: dict[str, Any]) -> None:
        self.args = (host, port, options)
        self.context = multiprocessing.get_context("spawn")
        self.slots: list[tuple[multiprocessing.process.BaseProcess, Event]] = []
        self.workers = workers
        self.stop = threading.Event()

    def start_one(self) -> tuple[multiprocessing.process.BaseProcess, Event]:
        started = self.context.Event()
        process = self.context.Process(
            target=_worker, args=(*self.args, started), name="dutybound-worker", daemon=False
        )
        process.start()
        return process, started

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stop.set())
        self.slots = [self.start_one() for _ in range(self.workers)]
        code = 0
        announced = False
        while not self.stop.wait(0.1 if not announced else 0.5):
            if not announced and all(started.is_set() for _, started in self.slots):
                host, port, _ = self.args
                where = f"[{host}]" if ":" in host else host
                print(
                    f"dutybound: {self.workers} server processes listening on "
                    f"http://{where}:{port}",
                    file=sys.stderr,
                    flush=True,
                )
                announced = True
            for n, (process, started) in enumerate(self.slots):
                if process.is_alive():
                    continue
                if not started.is_set():
                    log.error(
                        "a server process failed at startup (exit code %s); stopping",
                        process.exitcode,
                    )
                    code = 1
                    self.stop.set()
                    break
                log.warning(
                    "server process %s exited (code %s); starting another",
                    process.pid,
                    process.exitcode,
                )
                self.slots[n] = self.start_one()
        for process, _ in self.slots:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes open requests, then exits
        for process, _ in self.slots:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
        return code


def serve(host: str, port: int, workers: int, options: dict[str, Any]) -> int:
    """Run ``workers`` processes of ``service.app.app_from_env`` on host:port until SIGINT or
    SIGTERM; 1 if one failed at startup, else 0. ``options`` go to ``uvicorn.Config``."""
    if port == 0:
        raise ValueError("several server processes need a fixed port, not 0")
    listening_socket(host, port, reuse_port=False).close()  # OSError if the port is taken
    return _Supervisor(host, port, workers, options).run()
