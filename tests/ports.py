"""A free loopback port for a server that a test starts in another process (``dutybound serve``).

A server in the test's own process binds port 0 and reads back the port the kernel chose: nothing
can take it in between. A subprocess must be told its port before it starts, so the port is free
when chosen but taken only when the child has started, seconds later. Under pytest-xdist the other
worker opens connections all that time (PostgreSQL, HTTP clients, Dask's cluster), and the kernel
hands out just-freed ports from its ephemeral range to them and to every bind to port 0. So the
port is chosen outside that range, at random: only another explicit choice of the same port among
thousands could take it first.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 10_000  # below this are the ports that services on the machine are configured to use
DEFAULT_EPHEMERAL_START = 32_768  # Linux's default, and where the file cannot be read


def _ephemeral_start() -> int:
    """The first port of the kernel's ephemeral range."""
    try:
        return int(EPHEMERAL_RANGE.read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return DEFAULT_EPHEMERAL_START


def free_port(host: str = "127.0.0.1") -> int:
    """A port on ``host`` that nothing listens on or is bound to now, outside the ephemeral range.

    Raises RuntimeError when 200 random tries all find their port taken (or the range below the
    ephemeral one is too narrow to choose from)."""
    start = _ephemeral_start()
    low, high = (LOWEST, start) if start - LOWEST >= 1_000 else (1_024, start)
    if high - low < 100:
        raise RuntimeError(f"no port range outside the ephemeral range {start}- to choose from")
    chooser = random.SystemRandom()
    for _ in range(200):
        port = chooser.randrange(low, high)
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port found between {low} and {high} on {host}")
