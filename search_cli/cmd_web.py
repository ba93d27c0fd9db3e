"""``newsdex web``: a read-only web page over the index (search, articles, entities) and a JSON API that
returns exactly the CLI's JSON. Reads the index only; imports neither Prefect, spaCy nor trafilatura."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from newsdex.search_cli.output import UsageError

EPILOG = """examples:
  newsdex web                          # http://127.0.0.1:8765/ over var/index
  newsdex web --index var/bench/search/index-10000 --port 9000
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


def run(args: argparse.Namespace) -> int:
    from newsdex.settings import index_dir

    if args.json:
        raise UsageError("--json does not apply to web: it serves pages (the JSON API is under /api/)")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {args.port}")
    import uvicorn  # lazily: `newsdex --help` and the other commands never pay for the server

    from newsdex.search_cli.web.app import create_app

    root = index_dir(args.index)
    app = create_app(root)
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                            server_header=False, lifespan="off")
    server = uvicorn.Server(config)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        sys.stderr.write(f"newsdex web: listening on {args.host}: other machines can read this archive\n")

    # The address goes to stderr once the socket is bound (a test or script waits for this line).
    started = server.startup

    async def announce(sockets: Any = None) -> None:
        await started(sockets=sockets)
        for s in server.servers:
            for sock in s.sockets:
                host, port = sock.getsockname()[:2]
                shown = f"[{host}]" if ":" in host else host
                sys.stderr.write(f"newsdex web: serving {root} at http://{shown}:{port}/ (Ctrl-C to stop)\n")
                sys.stderr.flush()

    server.startup = announce  # type: ignore[method-assign]
    server.run()
    if not server.started:  # the port was taken, or the address does not exist: uvicorn said why
        raise UsageError(f"could not listen on {args.host}:{args.port}")
    return 0
