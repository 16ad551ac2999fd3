"""Running the app under uvicorn on a socket bound here, so port 0 works and the address is known."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable

import uvicorn
from uvicorn.supervisors import Multiprocess

from app.server.app import create_app
from app.server.protocol import GuardedH11Protocol, configure_protocol
from app.server.settings import ENV_VAR, ServerSettings

log = logging.getLogger("atelier.server")
# File descriptors kept beyond the connection cap: the database, the library's files, logs.
SPARE_FDS = 64


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; OSError (address in use, no such address) for the caller to report."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Naming the protocol matters: asyncio turns Nagle off (TCP_NODELAY) only on sockets whose
    # proto is IPPROTO_TCP, and accepted sockets inherit it. With Nagle on, a response written
    # in two pieces (headers, then body) waits for the client's delayed ACK, about 40 ms per
    # request on a kept-alive connection.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            # The bare "Address already in use" does not say which address; filename does.
            shown = f"[{host}]" if ":" in host else host
            raise OSError(exc.errno, exc.strerror or str(exc), f"{shown}:{port}") from None
        # Listening now: connections that arrive before the loop starts wait in the backlog.
        sock.listen(2048)
        sock.set_inheritable(True)
    except BaseException:
        sock.close()
        raise
    return sock


def address_of(sock: socket.socket, host: str) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _connection_cap(wanted: int) -> int:
    """wanted, with the process's file limit raised to fit it where the system allows."""
    try:
        import resource
    except ImportError:  # Windows: no such limit to raise
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = wanted + SPARE_FDS
    if soft != resource.RLIM_INFINITY and soft < need:
        target = need if hard == resource.RLIM_INFINITY else min(need, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and soft < need:
        cap = max(1, soft - SPARE_FDS)
        log.warning("Only %d open files are allowed: at most %d connections at once", soft, cap)
        return cap
    return wanted


def _config(app: object, log_level: str, workers: int = 1,
            trusted_proxies: tuple[str, ...] = ()) -> uvicorn.Config:
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        factory=isinstance(app, str),
        workers=workers,
        log_level=log_level,
        # X-Forwarded-For/-Proto only from the proxies named (uvicorn's ProxyHeadersMiddleware
        # takes the right-most address not among them); none named: the headers are ignored.
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=list(trusted_proxies),
        http=GuardedH11Protocol,  # header deadline, connection cap, headers on every answer
        timeout_graceful_shutdown=10,
    )


def serve(
    settings: ServerSettings,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    workers: int = 1,
    log_level: str = "info",
    on_ready: Callable[[str], None] | None = None,
    trusted_proxies: tuple[str, ...] = (),
) -> None:
    """Serve until SIGINT/SIGTERM; on_ready gets the base URL once connections are accepted."""
    configure_protocol(settings.header_timeout, _connection_cap(settings.max_connections))
    # Opening the library first makes a bad --db-url or folder an error before anything listens.
    app = create_app(settings)
    try:
        sock = bind(host, port)
    except BaseException:
        app.state.library.close()
        raise
    try:
        if workers <= 1:
            server = uvicorn.Server(_config(app, log_level, 1, trusted_proxies))
            if on_ready is not None:
                on_ready(address_of(sock, host))
            server.run(sockets=[sock])
            return
        app.state.library.close()  # each worker process opens its own
        os.environ[ENV_VAR] = settings.to_env()
        config = _config("app.server.app:create_app_from_env", log_level, workers, trusted_proxies)
        if on_ready is not None:
            on_ready(address_of(sock, host))
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
