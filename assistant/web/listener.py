"""One listening socket per `serve` worker on the same port, so that the kernel spreads connections over the workers.

uvicorn's `--workers` binds one socket in its supervisor and gives every worker that same socket. A worker's event
loop accepts every connection that is waiting when it wakes, so a burst of new connections (a page of widgets
loading, a load balancer opening its pool, a load test) lands on one worker while the others idle: 64 connections
opened in quick succession went 64/0, 59/5, 61/3 and 63/1 over two workers, and two workers answered no faster than
one. With SO_REUSEPORT each worker listens on a socket of its own on the same address, and Linux hashes every new
connection to one of them (the same 64: 38/26, 36/28, 31/33).

The supervisor reserves the address with a socket it never listens on; uvicorn hands that socket to each worker it
starts (restarts included) by pickling it, and a `ReservedAddress` unpickles as a fresh socket bound to the same
address. Elsewhere than Linux, SO_REUSEPORT does not balance, and `reserve` returns None: uvicorn's shared socket.
"""

from __future__ import annotations

import socket
import sys


class ReservedAddress(socket.socket):
    """A bound socket that is never listened on; in the process that unpickles it, a new socket on its address."""

    def __reduce__(self):
        return _bound, (self.family, self.getsockname())


def reserve(host: str, port: int) -> ReservedAddress | None:
    """The address for the workers' sockets, or None where the kernel would not spread connections over them.

    Raises OSError when anything already listens there, SO_REUSEPORT sockets included: without this check a second
    `serve` on the same port would silently take half of the first one's connections."""
    if not sys.platform.startswith("linux") or not hasattr(socket, "SO_REUSEPORT"):
        return None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:  # a plain bind fails if any socket holds the port
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        port = probe.getsockname()[1]  # port 0: the one the kernel chose, for every worker
    bound = _bound(family, (host, port))
    return ReservedAddress(bound.family, bound.type, bound.proto, fileno=bound.detach())


def _bound(family: int, address: tuple) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock
