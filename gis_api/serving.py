"""Run an ASGI application with uvicorn, keeping TCP_NODELAY with several workers.

uvicorn's multi-worker supervisor binds its listening socket without naming the protocol, and
asyncio turns TCP_NODELAY on only for accepted sockets that report IPPROTO_TCP, so every
keep-alive request after the first waits about 40 ms for a delayed ACK (Kludex/uvicorn#3149).
Here the socket is bound with the protocol named. Only uvicorn is imported, so any
environment with uvicorn can run this file (the tile benchmark starts tipg through it too):

    python gis_api/serving.py tipg.main:app --port 8102 --workers 2
"""

from __future__ import annotations

import argparse
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP listening socket whose accepted connections get TCP_NODELAY from asyncio."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.set_inheritable(True)
    return sock


def run(
    app: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    factory: bool = False,
    log_level: str = "info",
) -> None:
    """Serve `app` (an import string) with `workers` processes."""
    config = uvicorn.Config(
        app, host=host, port=port, workers=workers, factory=factory, log_level=log_level
    )
    if workers == 1:
        uvicorn.Server(config).run()
        return
    Multiprocess(config, sockets=[listening_socket(host, port)]).run()


def main() -> None:
    """Command line: the application and uvicorn's usual options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", help="ASGI application as module:attribute")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--factory", action="store_true")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args()
    run(
        args.app,
        host=args.host,
        port=args.port,
        workers=args.workers,
        factory=args.factory,
        log_level=args.log_level,
    )


if __name__ == "__main__":
    main()
