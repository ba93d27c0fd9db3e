"""``newsdex web``: a read-only web page over the index (search, articles, entities) and a JSON API that
returns exactly the CLI's JSON. Reads the index only; imports neither Prefect, spaCy nor trafilatura."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from newsdex.search_cli.output import UsageError

EPILOG = """examples:
  newsdex web                          # http://127.0.0.1:8765/ over var/index
  newsdex web --index var/bench/search/index-10000 --port 9000
  newsdex web --workers 2              # one process per core when several people search at once
  newsdex web --threads 4              # reader threads per process (default 2), each with its own searcher
  curl 'http://127.0.0.1:8765/api/search?q=troops&limit=3'

Pages: / (search), /doc/ID, /entity/TYPE/NAME. API: /api/search, /api/show/ID, /api/similar/ID,
/api/entities, /api/stats (docs/web.md). Only GET and HEAD; binds to 127.0.0.1 unless --host says otherwise.
"""


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "web",
        parents=[common],
        help="a read-only web page over the index (search, articles, entities), on 127.0.0.1",
        description="Serve a read-only web page over the index: search with facets and a date histogram, "
        "articles with what the cleaner removed, entity pages, and a JSON API (the CLI's JSON).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0: any free port)")
    p.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests for this host name (repeatable; '*.example.org' for a domain, '*' "
        "any). Default: loopback names and --host",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port, each with its own searcher (default 1; one per core "
        "serves concurrent users: docs/web.md)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        metavar="N",
        help="reader threads per process, each with its own searcher (and its memory), none waiting on "
        "another's lock (default 2)",
    )


def run(args: argparse.Namespace) -> int:
    from newsdex.search_cli.web.readers import DEFAULT_THREADS, MAX_THREADS
    from newsdex.settings import index_dir

    if args.json:
        raise UsageError("--json does not apply to web: it serves pages (the JSON API is under /api/)")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {args.port}")
    if not 1 <= args.workers <= MAX_WORKERS:
        raise UsageError(f"--workers must be between 1 and {MAX_WORKERS}, got {args.workers}")
    if args.threads is None:
        args.threads = DEFAULT_THREADS
    if not 1 <= args.threads <= MAX_THREADS:
        raise UsageError(f"--threads must be between 1 and {MAX_THREADS}, got {args.threads}")
    root = index_dir(args.index)
    _check_host(args)
    args.served_hosts = served_hosts(args.host, args.allowed_host)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        sys.stderr.write(f"newsdex web: listening on {args.host}: other machines can read this archive\n")
    return _serve_processes(root, args) if args.workers > 1 else _serve(root, args)


def served_hosts(host: str, extra: list[str]) -> list[str]:
    """The Host header values answered: loopback names, the address bound (unless it is every address: then
    this machine's names), and ``--allowed-host``."""
    import socket

    from newsdex.search_cli.web.app import LOOPBACK_HOSTS

    names = list(LOOPBACK_HOSTS)
    if host in ("0.0.0.0", "::", ""):
        names += [socket.gethostname(), socket.getfqdn()]
    else:
        names.append(f"[{host}]" if ":" in host else host)
    for name in extra:
        name = name.strip().lower()
        if "*" in name[1:] or (name.startswith("*") and name != "*" and not name.startswith("*.")):
            raise UsageError(f"--allowed-host {name}: a pattern is '*.example.org' or '*'")
        names.append(f"[{name}]" if ":" in name and not name.startswith("[") else name)
    return list(dict.fromkeys(n.lower() for n in names if n))


def _check_host(args: argparse.Namespace) -> None:
    """An address that is none (999.1.1.1, a name that does not resolve): one line, before uvicorn logs its own."""
    import socket

    try:
        found = socket.getaddrinfo(args.host, args.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else "not a host name"
        raise UsageError(f"--host {args.host}: not an address to listen on ({reason})") from None
    family, kind, proto, _, address = found[0]
    try:  # an address of another machine, or a port taken: said here in one line, not by uvicorn's logger
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind(address)
    except OSError as exc:
        raise UsageError(f"could not listen on {args.host}:{args.port}: {exc.strerror or exc}") from None


MAX_WORKERS = 64
OPTIONS: dict[str, Any] = {"log_level": "warning", "access_log": False, "server_header": False, "lifespan": "off"}


def _cannot_listen(args: argparse.Namespace) -> UsageError:
    return UsageError(f"could not listen on {args.host}:{args.port}")


def _announce(root: Path, sock: Any, workers: int = 1) -> None:
    """The address on stderr once the socket listens (a test or script waits for this line)."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    processes = f", {workers} processes" if workers > 1 else ""
    sys.stderr.write(f"newsdex web: serving {root} at http://{shown}:{port}/ (Ctrl-C to stop{processes})\n")
    sys.stderr.flush()


def _serve(root: Path, args: argparse.Namespace) -> int:
    """One process: the application built here, served by one uvicorn server."""
    import uvicorn  # lazily: `newsdex --help` and the other commands never pay for the server

    from newsdex.search_cli.web.app import create_app

    app = create_app(root, args.threads, args.served_hosts)
    server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, **OPTIONS))
    started = server.startup

    async def announce(sockets: Any = None) -> None:
        await started(sockets=sockets)
        for s in server.servers:
            for sock in s.sockets:
                _announce(root, sock)

    server.startup = announce  # type: ignore[method-assign]
    stop = server.handle_exit
    ignored = _ignored_signals()

    def handle_exit(sig: int, frame: Any) -> None:  # uvicorn catches every stop signal, ignored ones too
        if sig not in ignored:
            stop(sig, frame)

    server.handle_exit = handle_exit  # type: ignore[method-assign]
    try:
        server.run()
    except SystemExit:  # uvicorn's startup failure (exit 3): the port is taken, or the address does not exist
        raise _cannot_listen(args) from None
    if not server.started:
        raise _cannot_listen(args)
    return 0


def _supervisor_class() -> type:
    """uvicorn's supervisor, recording the signal that ended it (None: it gave up on workers that cannot
    start) instead of restarting the workers on a hang-up."""
    import signal

    from uvicorn.supervisors import Multiprocess

    class Supervisor(Multiprocess):
        stopped_by: int | None = None

        def _stop(self, sig: int) -> None:
            self.stopped_by = self.stopped_by or sig
            self.should_exit.set()

        def handle_int(self) -> None:
            self._stop(signal.SIGINT)

        def handle_term(self) -> None:
            self._stop(signal.SIGTERM)

        def handle_hup(self) -> None:
            self._stop(signal.SIGHUP)

    return Supervisor


def _serve_processes(root: Path, args: argparse.Namespace) -> int:
    """Several processes accepting on one socket, bound here: uvicorn's supervisor starts them (fresh
    interpreters, each building the application with its own reader threads and Archives) and restarts one that
    dies. The index folder travels to them explicitly: the application factory is ``worker_app`` bound to it
    (a ``functools.partial``), which uvicorn pickles into each spawned worker with its config; nothing goes
    through the environment. Threads overlap a process's reads; processes are what use the other cores.

    It ends as the one-process server does: Ctrl-C stops every worker and exits 130 ("newsdex: interrupted"),
    SIGTERM and a hang-up (the terminal closed: uvicorn would restart the workers) stop them and end this process
    by the signal. Workers that fail before serving are a one-line error, exit 1."""
    import functools
    import signal

    import uvicorn

    from newsdex import lifetime
    from newsdex.search_cli.web.app import worker_app

    lifetime.start_watchdog()  # the workers end with this process, even when it is killed
    # A factory object, not an import string: uvicorn's import_from_string passes it through and each spawned
    # worker calls it, so the index folder reaches the workers inside the pickled config.
    factory = functools.partial(worker_app, root.resolve(), args.threads, args.served_hosts)
    config = uvicorn.Config(factory, factory=True, host=args.host, port=args.port, workers=args.workers, **OPTIONS)
    try:
        sock = config.bind_socket()
    except SystemExit:  # uvicorn logged why (the port is taken, the address does not exist)
        raise _cannot_listen(args) from None
    sock.listen(config.backlog)  # connections wait in the queue while the workers start
    _announce(root, sock, args.workers)
    stops = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
    previous = {sig: signal.getsignal(sig) for sig in stops}  # the supervisor installs its own for good
    supervisor = _supervisor_class()(config, sockets=[sock])
    for sig in _ignored_signals(previous):
        signal.signal(sig, signal.SIG_IGN)  # as the one-process server: `nohup newsdex web &` outlives a hang-up
    try:
        supervisor.run()  # returns once every worker has ended
    finally:
        sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if supervisor.stopped_by is None:  # uvicorn logged why
        raise UsageError("the server processes could not start")
    if supervisor.stopped_by == signal.SIGINT:
        raise KeyboardInterrupt  # Ctrl-C: exit 130 and "newsdex: interrupted", as for every command
    signal.signal(supervisor.stopped_by, signal.SIG_DFL)
    signal.raise_signal(supervisor.stopped_by)  # SIGTERM, SIGHUP: ended by the signal, as the one process is
    return 0


def _ignored_signals(handlers: Mapping[Any, Any] | None = None) -> set[int]:
    """The stop signals this process was started ignoring (``nohup``; SIGINT in a shell's background job): they
    stay ignored, although uvicorn would catch them, so the server outlives them as any program would."""
    import signal

    stops = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    handlers = handlers or {sig: signal.getsignal(sig) for sig in stops}
    return {sig for sig in stops if handlers[sig] == signal.SIG_IGN}
