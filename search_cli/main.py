"""Entry point of ``newsdex``: argument parsing and dispatch to one module per subcommand.

Each ``search_cli/cmd_*.py`` module exposes ``add_parser(subparsers, common)`` and ``run(args) -> int``.
Modules are imported lazily, only the chosen subcommand's, so that ``newsdex search`` stays light.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from contextlib import nullcontext
from typing import NoReturn

from newsdex import lifetime
from newsdex.errors import UserError
from newsdex.search_cli.helptext import HelpFormatter
from newsdex.search_cli.output import STOP_NOTE

COMMANDS: dict[str, str] = {
    "ingest": "newsdex.search_cli.cmd_ingest",
    "search": "newsdex.search_cli.cmd_search",
    "show": "newsdex.search_cli.cmd_show",
    "clean": "newsdex.search_cli.cmd_clean",
    "reindex": "newsdex.search_cli.cmd_reindex",
    "entities": "newsdex.search_cli.cmd_entities",
    "stats": "newsdex.search_cli.cmd_stats",
    "rules": "newsdex.search_cli.cmd_rules",
    "serve": "newsdex.search_cli.cmd_serve",
    "check": "newsdex.search_cli.cmd_check",
    "duplicates": "newsdex.search_cli.cmd_duplicates",
    "similar": "newsdex.search_cli.cmd_similar",
    "export": "newsdex.search_cli.cmd_export",
    "web": "newsdex.search_cli.cmd_web",
}
# Commands that clean text, and so take --rules; the others do not accept it (it would change nothing).
USES_RULES = {"ingest", "clean", "reindex", "rules", "serve", "check"}  # check: --repair re-cleans
# Commands that start processes (a Prefect server, Dask workers): those end with newsdex, however it ends.
STARTS_PROCESSES = {"ingest", "reindex", "serve", "check"}  # check --repair runs the reindex flow

EPILOG = """examples:
  newsdex ingest                      # ingest the seed articles
  newsdex ingest news/ --json         # ingest a folder, print the run report as JSON
  newsdex search '"Kursk region"'     # phrase search
  newsdex search troops --entity 'PERSON:Kim Jong-un' --since 2025-01-01
  newsdex show ID --explain           # one article and every line the cleaner removed
  newsdex clean page.html --explain   # what the cleaner keeps, without indexing
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line on stderr, exit code 1 (docs/contract.md)
        sys.stderr.write(f"newsdex: {message}\n")
        raise SystemExit(1)


def common_options(rules: bool = True) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", metavar="DIR", help="index folder (default: $NEWSDEX_INDEX or ./var/index)")
    if rules:
        common.add_argument("--rules", metavar="FILE", help="cleaning rules file (default: $NEWSDEX_RULES or built-in)")
    common.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    return common


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="newsdex",
        description="Turn scraped news into a clean, searchable archive.",
        epilog=EPILOG,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("-V", "--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module_name in COMMANDS.items():
        if only is not None and name != only:
            # Cheap placeholder so `newsdex --help` lists every command without importing them all.
            sub.add_parser(name, help=_HELP.get(name, ""), add_help=False)
            continue
        module = importlib.import_module(module_name)
        module.add_parser(sub, common_options(rules=name in USES_RULES))
        _fit_help(sub.choices[name])
    return parser


def _fit_help(parser: argparse.ArgumentParser) -> None:
    """Every --help of a command (and of its own subcommands) fits the terminal: see search_cli/helptext.py."""
    parser.formatter_class = HelpFormatter
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _fit_help(child)


_HELP = {
    "ingest": "run the ingest flow over files and folders (default: seeds/)",
    "search": "full-text search (Whoosh query syntax)",
    "show": "one article: metadata, body, segments, entities",
    "clean": "print what the cleaner keeps, without indexing",
    "reindex": "re-apply the current rules to every stored raw input",
    "entities": "the most mentioned entities, by type",
    "stats": "documents, sources, rules version, index size, last runs",
    "rules": "rule tools: suggest candidate rules from repeated lines",
    "serve": "serve the scheduled ingestion deployment",
    "check": "verify the manifest, raw store and index agree; --repair rebuilds what is damaged",
    "duplicates": "stories the archive holds several copies of",
    "similar": "articles about the same thing as one article (not its copies)",
    "export": "stream documents (metadata, body, segments, entities, copies) as JSON Lines, CSV or Parquet",
    "web": "a read-only web page over the index (search, articles, entities), on 127.0.0.1",
}


def _command_first(argv: list[str]) -> list[str]:
    """Move the command word to the front, so common options may come first (`newsdex --index X stats`)."""
    skip = False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
        elif arg in ("--index", "--rules"):
            skip = True
        elif not arg.startswith("-"):
            return [arg, *argv[:i], *argv[i + 1 :]]
    return argv


def _options(argv: list[str]) -> list[str]:
    """The arguments before ``--`` (after it, everything is positional)."""
    return argv[: argv.index("--")] if "--" in argv else argv


# The exit code of a run stopped by SIGTERM or Ctrl-C, and the one line it ends with (written last: see entry).
STOPPED = {128 + 15: "newsdex: terminated\n", 130: "newsdex: interrupted\n"}


_stop_line: str | None = None  # a command's own last line for its stop (an ingest: what it kept), when it has one


def _stopped(exc: BaseException, said_by: BaseException | None = None) -> int:
    """The exit code of a stop; the stopping command's own words, from a note it added, kept for the last line."""
    global _stop_line
    code = 128 + 15 if isinstance(exc, lifetime.Terminated) else 130
    for candidate in (said_by, exc):
        note = next((n for n in getattr(candidate, "__notes__", ()) if n.startswith(STOP_NOTE)), None)
        if note is not None:
            _stop_line = STOPPED[code].rstrip("\n") + ": " + note.removeprefix(STOP_NOTE) + "\n"
            break
    return code


def stop_line(code: int) -> str:
    """The last line of a stopped command: its own when it said one, else "newsdex: interrupted" or
    "newsdex: terminated"."""
    return _stop_line or STOPPED[code]


def main(argv: list[str] | None = None) -> int:
    """The ``newsdex`` command in this process; returns its exit code."""
    code = run_command(argv)
    if code in STOPPED:
        sys.stderr.write(stop_line(code))
    return code


def entry() -> None:
    """``newsdex`` as a process (the console script, ``python -m newsdex.search_cli``). A run stopped by SIGTERM
    or Ctrl-C first sends Prefect's buffered logs and events (to Prefect's temporary server, which atexit stops
    next; a Dask run drained its own server before stopping it), then exits through ``lifetime.exit_stopped``,
    so that its one line is the last thing it prints."""
    code = run_command()
    if code not in STOPPED:
        raise SystemExit(code)
    try:
        if "prefect.logging.handlers" in sys.modules:  # only a run that used Prefect has anything buffered
            from newsdex.flows.dask import drain_prefect_services

            drain_prefect_services(timeout=5.0)
    except KeyboardInterrupt:  # a second Ctrl-C: skip the rest of the logs
        pass
    lifetime.exit_stopped(code, stop_line(code))


def _apply_aliases() -> None:
    """The alias file this process canonicalizes entity names with ($NEWSDEX_ALIASES): resolved here, at the
    edge; a flow's workers get it with each batch (``Settings.aliases``)."""
    from newsdex.settings import aliases_path
    from newsdex.tasks.enrich.canonical import use_aliases

    use_aliases(aliases_path())


def run_command(argv: list[str] | None = None) -> int:
    """Parse, run the command, map its end to an exit code; a stopped run's line is left to the caller."""
    argv = list(sys.argv[1:] if argv is None else argv)
    argv = _command_first(argv)
    chosen = argv[0] if argv and not argv[0].startswith("-") else None
    only = chosen if chosen in COMMANDS else None
    parser = build_parser(only if only else "__none__")
    if only is None:
        if argv and argv[0] in ("-V", "--version"):
            from newsdex import version

            print(f"newsdex {version()}")
            return 0
        if not argv or argv[0] in ("-h", "--help"):
            parser.print_help()
            return 0
        parser.error(f"unknown command {chosen!r} (see newsdex --help)" if chosen else "no command given")
    if only not in USES_RULES and any(a == "--rules" or a.startswith("--rules=") for a in _options(argv)):
        parser.error(f"--rules does not apply to {only}: it cleans no text")
    args = parser.parse_args(argv)
    _apply_aliases()
    module = importlib.import_module(COMMANDS[args.command])
    # Children end with this process, however it ends (SIGTERM raises Terminated here; newsdex.lifetime).
    owning = lifetime.children_die_with_me() if args.command in STARTS_PROCESSES else nullcontext()
    try:
        with owning:
            return int(module.run(args) or 0)
    except UserError as exc:  # bad input, no index, a busy one: the user's to fix (newsdex.errors)
        sys.stderr.write(f"newsdex {args.command}: {exc}\n")
        return 1
    except (KeyboardInterrupt, lifetime.Terminated) as exc:
        return _stopped(exc)
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the contract is exit code 2 with a one-line error
        stopped = lifetime.interruption(exc)  # a library's error while it handled our SIGTERM or Ctrl-C
        if stopped is not None:
            return _stopped(stopped, said_by=exc)
        from newsdex.index.damage import as_damage

        damaged = as_damage(exc)  # a damaged index is the user's to repair: exit 1, pointing at check --repair
        if damaged is not None:
            sys.stderr.write(f"newsdex {args.command}: {damaged}\n")
            return 1
        from newsdex import settings as _settings
        from newsdex.index.space import disk_full, read_only

        root = _settings.index_dir(getattr(args, "index", None))
        environment = disk_full(exc, root) or read_only(exc, root)  # the machine's, not newsdex's: exit 1
        if environment is not None:
            sys.stderr.write(f"newsdex {args.command}: {environment}\n")
            return 1
        sys.stderr.write(f"newsdex {args.command}: internal error: {type(exc).__name__}: {exc}\n")
        from newsdex import settings

        if settings.debug():
            raise
        return 2


if __name__ == "__main__":
    entry()
