"""Server commands: users, Bearer tokens, and `serve` (the asset server on uvicorn)."""

from __future__ import annotations

import argparse
import os
import signal
from types import FrameType

from app.cli.context import data_dir, open_library, store_location
from app.cli.output import print_json, read_password, table
from app.core.formats import DEFAULT_MAX_BYTES


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("users", help="server users: add, list, change a password")
    usub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = usub.add_parser("add", help="create a user (asks for a password)")
    a.add_argument("name", help="user name")
    a.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    a.set_defaults(func=cmd_users_add)
    a = usub.add_parser("list", help="list users")
    a.add_argument("--json", action="store_true", help="machine-readable output")
    a.set_defaults(func=cmd_users_list)
    a = usub.add_parser("passwd", help="set a user's password")
    a.add_argument("name", help="user name")
    a.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    a.set_defaults(func=cmd_users_passwd)

    p = sub.add_parser("serve", help="run the asset server (v2 Asset API)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument(
        "--public-url",
        help="base of the absolute URLs in responses, e.g. https://assets.example.com "
        "(default: the URL each request came to)",
    )
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument(
        "--cors-origin", action="append", default=[], help="allow browser pages from this origin"
    )
    p.add_argument(
        "--trusted-proxy", action="append", default=[], metavar="ADDR[,ADDR]",
        help="a reverse proxy whose X-Forwarded-For/-Proto are believed: IP addresses or networks "
        "(default: ATELIER_TRUSTED_PROXIES, else none: the headers are ignored)",
    )
    p.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"],
        help="how much the server logs (default info)",
    )  # fmt: skip
    p.add_argument(
        "--bucket-ttl-hours",
        type=float,
        default=24.0,
        help="how long a v1 'bucket' upload stays reachable before it is removed (default 24)",
    )
    limits = p.add_argument_group("limits (README: \"Limits on clients\"); per worker process unless said")
    limits.add_argument("--max-uploads", type=int, default=32, help="uploads in progress at once (default 32; 503 beyond)")
    limits.add_argument("--max-uploads-per-user", type=int, default=8, help="uploads in progress per user (default 8; 429 beyond)")
    limits.add_argument("--min-upload-rate", type=int, default=1024, help="bytes a second an upload must average (default 1024; 408 below)")
    limits.add_argument("--upload-rate-window", type=float, default=10.0, help="seconds over which that rate is measured (default 10)")
    limits.add_argument("--header-timeout", type=float, default=10.0, help="seconds a client has to send a request's headers (default 10; 408)")
    limits.add_argument("--max-connections", type=int, default=1000, help="open connections (default 1000; 503 and closed beyond)")
    limits.add_argument("--login-user-attempts", type=int, default=5, help="failed logins per user name before lockouts (default 5; all workers)")
    limits.add_argument("--login-address-attempts", type=int, default=20, help="failed logins per address before lockouts (default 20; all workers)")
    limits.add_argument("--login-lockout", type=float, default=2.0, help="seconds of the first lockout, doubling with each failure (default 2)")
    limits.add_argument("--login-max-lockout", type=float, default=900.0, help="longest lockout in seconds (default 900)")
    limits.add_argument("--login-window", type=float, default=900.0, help="seconds after the last failure that failures are forgotten (default 900)")
    p.set_defaults(func=cmd_serve)


# --- users -------------------------------------------------------------------------------


def cmd_users_add(args: argparse.Namespace) -> int:
    password = read_password(args.password_stdin, repeat=True)
    with open_library(args) as lib:
        user = lib.create_user(args.name, password)
    print(f"Created user {user.username}")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        users = lib.list_users()
    if args.json:
        print_json([{"id": u.id, "username": u.username, "createdAt": u.created_at.isoformat()} for u in users])
    else:
        table(["ID", "USER", "CREATED"], [[u.id, u.username, u.created_at.strftime("%Y-%m-%d %H:%M")] for u in users])
    return 0


def cmd_users_passwd(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        lib.get_user(args.name)  # a missing user is reported before asking anything
        revoked = lib.set_password(args.name, read_password(args.password_stdin, repeat=True))
    print(f"Password of {args.name} changed; {revoked} token(s) and API key(s) revoked")
    return 0


# --- serve -------------------------------------------------------------------------------


def _stop_on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def cmd_serve(args: argparse.Namespace) -> int:
    from app.server.proxies import ENV_VAR as PROXIES_ENV
    from app.server.proxies import parse_trusted_proxies
    from app.server.runner import serve
    from app.server.settings import ServerSettings

    if not 0 <= args.port <= 65535:
        raise ValueError(f"No such port: {args.port}")
    if args.workers < 1:
        raise ValueError("--workers must be at least 1")
    trusted = parse_trusted_proxies(args.trusted_proxy or [os.environ.get(PROXIES_ENV, "")])
    max_mb = getattr(args, "max_size_mb", None)
    settings = ServerSettings(
        data_dir=data_dir(args),
        db_url=args.db_url,
        public_base_url=args.public_url,
        max_bytes=int(max_mb * 1024 * 1024) if max_mb else DEFAULT_MAX_BYTES,
        cors_origins=tuple(args.cors_origin),
        bucket_ttl=args.bucket_ttl_hours * 3600,
        storage_url=store_location(args).url,
        s3_endpoint=store_location(args).endpoint,
        max_uploads=args.max_uploads,
        max_uploads_per_user=args.max_uploads_per_user,
        min_upload_rate=args.min_upload_rate,
        upload_rate_window=args.upload_rate_window,
        header_timeout=args.header_timeout,
        max_connections=args.max_connections,
        login_user_attempts=args.login_user_attempts,
        login_address_attempts=args.login_address_attempts,
        login_lockout=args.login_lockout,
        login_max_lockout=args.login_max_lockout,
        login_window=args.login_window,
    )

    def ready(url: str) -> None:
        print(f"Serving on {url}", flush=True)
        print(f"API documentation: {url}/docs  (Ctrl+C stops)", flush=True)

    # uvicorn shuts down gracefully on SIGTERM, then re-raises it: end quietly, not killed.
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        serve(settings, args.host, args.port, workers=args.workers, log_level=args.log_level,
              on_ready=ready, trusted_proxies=trusted)
    except KeyboardInterrupt:
        pass
    print("Server stopped", flush=True)
    return 0
