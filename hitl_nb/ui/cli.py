"""Command line: ``hitl-nb serve hitl.db --graph module:attr`` (or ``python -m hitl_nb``),
and ``hitl-nb export hitl.db --sft out.jsonl`` (``--preferences``, ``--csv``, ``--parquet``).

Starts Voila on the reviewer notebook shipped in `hitl_nb.app`: reviewers who never open
a notebook get a page listing the threads waiting for them, with the cards. It listens on
127.0.0.1 with a token; another address needs ``--allow-remote`` (and still a token).

Example::

    hitl-nb serve hitl.db --graph hitl_nb.examples:seed_graph --port 8866
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from ..model import HitlError
from ..store.db import is_postgres_url


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hitl-nb", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="start the reviewer web app (Voila) on a decision log",
        description="Start the reviewer web app (Voila) on a decision log.")
    serve.add_argument("log", help="decision log: a SQLite file (e.g. hitl.db) or a "
                                   "postgresql:// URL")
    serve.add_argument("--graph", help="the graph to resume, 'module:attr': a compiled graph "
                                       "or a factory taking a checkpointer "
                                       "(e.g. hitl_nb.examples:seed_graph)")
    serve.add_argument("--checkpoints", help="the graph's checkpoints, if not in the log "
                                             "file/URL")
    serve.add_argument("--reviewer", help="name written to the log (default: login name)")
    serve.add_argument("--ip", default="127.0.0.1", help="address to listen on "
                                                         "(default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8866, help="port (0 picks a free one)")
    serve.add_argument("--token", help="access token (default: a random one, printed)")
    serve.add_argument("--allow-remote", action="store_true",
                       help="allow a non-loopback --ip (anyone who reaches it and has the "
                            "token can decide)")
    serve.add_argument("--no-browser", action="store_true", help="accepted for "
                       "familiarity; the app never opens a browser itself")
    export = commands.add_parser(
        "export", help="export a decision log for analysis or fine-tuning",
        description="Export a decision log for analysis or fine-tuning.")
    export.add_argument("log", help="decision log: a SQLite file or a postgresql:// URL")
    export.add_argument("--sft", metavar="PATH", help="chat-format JSONL (approved and "
                                                       "edited actions)")
    export.add_argument("--preferences", metavar="PATH",
                        help="prompt/chosen/rejected JSONL (edits, rejections)")
    export.add_argument("--csv", metavar="PATH", help="every decision as CSV")
    export.add_argument("--parquet", metavar="PATH", help="every decision as Parquet "
                                                           "(pyarrow)")
    return parser


def export_command(args: argparse.Namespace) -> list[str]:
    """Write the requested exports; return one summary line per file."""
    from ..analysis.export import export_preferences, export_sft, to_csv, to_parquet
    from ..analysis.log import DecisionLog

    if not any((args.sft, args.preferences, args.csv, args.parquet)):
        raise HitlError("export needs at least one of --sft, --preferences, --csv, --parquet")
    df = DecisionLog(_target(args.log)).to_pandas()
    lines = []
    for path, write, what in ((args.sft, export_sft, "SFT examples"),
                              (args.preferences, export_preferences, "preference pairs"),
                              (args.csv, to_csv, "rows (CSV)"),
                              (args.parquet, to_parquet, "rows (Parquet)")):
        if path:
            try:
                lines.append(f"{path}: {write(df, path)} {what}")
            except ImportError as exc:
                raise HitlError(str(exc)) from exc
    return lines


def _is_loopback(ip: str) -> bool:
    if ip == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def _free_port(ip: str) -> int:
    with socket.socket() as s:
        s.bind((ip if _is_loopback(ip) else "", 0))
        return int(s.getsockname()[1])


def _target(value: str) -> str:
    if is_postgres_url(value):
        return value
    path = Path(value).expanduser().resolve()
    if not path.is_file():
        raise HitlError(f"no decision log at {path}: pass the SQLite file your notebooks "
                        "log to (hitl.db by default), or a postgresql:// URL")
    return str(path)


def serve_command(args: argparse.Namespace) -> tuple[list[str], dict[str, str], str]:
    """Check the options; return Voila's argv, its environment and the URL to open.

    Raises `HitlError` with the fix when an option is unsafe or wrong.
    """
    from .app import NOTEBOOK
    from .app.reviewer import ENV_CHECKPOINTS, ENV_GRAPH, ENV_LOG, ENV_REVIEWER

    if not _is_loopback(args.ip) and not args.allow_remote:
        raise HitlError(f"refusing to listen on {args.ip}, which other machines can reach: "
                        "pass --allow-remote (with a --token you share with reviewers) or "
                        "use --ip 127.0.0.1")
    token = secrets.token_urlsafe(24) if args.token is None else args.token
    if not token.strip():
        raise HitlError("an empty --token would let anyone who reaches the port decide; "
                        "leave --token out to get a random one")
    log = _target(args.log)
    checkpoints = _target(args.checkpoints) if args.checkpoints else log
    if args.graph:
        from .app import load_graph

        sys.path.insert(0, os.getcwd())
        load_graph(args.graph, checkpoints)          # fail here, not in the page
    try:
        import voila  # noqa: F401
    except ImportError as exc:
        raise HitlError("the reviewer app needs Voila: pip install 'hitl_nb[serve]'") from exc
    port = args.port or _free_port(args.ip)
    env = dict(os.environ)
    env.update({ENV_LOG: log, ENV_CHECKPOINTS: checkpoints, ENV_GRAPH: args.graph or "",
                ENV_REVIEWER: args.reviewer or ""})
    env["PYTHONPATH"] = os.pathsep.join(p for p in (os.getcwd(), env.get("PYTHONPATH")) if p)
    argv = [sys.executable, "-m", "voila", str(NOTEBOOK), "--no-browser",
            f"--port={port}", f"--Voila.ip={args.ip}", "--Voila.port_retries=0",
            f"--Voila.token={token}", "--VoilaConfiguration.show_tracebacks=False"]
    host = "127.0.0.1" if args.ip in ("0.0.0.0", "::") else args.ip
    host = f"[{host}]" if ":" in host else host
    return argv, env, f"http://{host}:{port}/?token={token}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``hitl-nb`` and ``python -m hitl_nb``."""
    args = _parser().parse_args(argv)
    if args.command == "export":
        try:
            print("\n".join(export_command(args)))
        except HitlError as exc:
            print(f"hitl-nb: {exc}", file=sys.stderr)
            return 2
        return 0
    try:
        command, env, url = serve_command(args)
    except HitlError as exc:
        print(f"hitl-nb: {exc}", file=sys.stderr)
        return 2
    print(f"hitl_nb reviewer app for {env['HITL_NB_LOG']}\n    {url}\n(Ctrl-C to stop)",
          flush=True)
    os.execve(command[0], command, env)   # Voila takes over this process
    return 0  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
