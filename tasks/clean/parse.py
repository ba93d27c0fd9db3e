"""How the HTML path parses a page and hears its libraries: lxml without its depth limit, and trafilatura's
log lines tied to the input they are about."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

# Libraries the HTML path calls that log through the standard logging module.
_LOGGERS = ("trafilatura", "readability", "htmldate", "courlan", "justext")
_INPUT: ContextVar[str | None] = ContextVar("newsdex_clean_input", default=None)


@lru_cache(maxsize=1)
def _parser() -> Any:
    from lxml.html import HTMLParser

    # trafilatura's parser settings (they keep inline text a plain lxml parse splits), plus huge_tree: without it
    # libxml2 stops at 255 levels of nesting and the page's text is lost (with it, at 2048 levels).
    return HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
        huge_tree=True,
    )


def load_tree(text: str) -> Any | None:
    """The page's lxml tree, as trafilatura's ``load_html`` builds it but without the depth limit; None when the
    text is not HTML at all."""
    from lxml import etree
    from lxml.html import fromstring
    from trafilatura.utils import is_dubious_html, repair_faulty_html

    beginning = text[:50].lower()
    dubious = is_dubious_html(beginning)
    text = repair_faulty_html(text, beginning)
    tree = None
    try:
        tree = fromstring(text, parser=_parser())
    except ValueError:  # a str holding an encoding declaration: lxml wants bytes then
        pass
    except etree.LxmlError:
        return None
    if tree is None or len(tree) < 1:
        try:
            tree = fromstring(text.encode("utf-8", "surrogatepass"), parser=_parser())
        except (ValueError, etree.LxmlError):
            return None
    if dubious and len(tree) < 2:  # trafilatura's test: a fragment, not a page
        return None
    return tree


class _NameInput(logging.Filter):
    """Prefixes the libraries' records with the input being cleaned; drops trafilatura's "discarding data:
    None" (it found no text: the clean stage says so itself, with the file's name)."""

    def filter(self, record: logging.LogRecord) -> bool:
        path = _INPUT.get()
        if path is None:
            return True
        if str(record.msg).startswith("discarding data"):
            return False
        record.msg = f"{path}: {record.msg}"
        return True


_FILTER = _NameInput()


def _install() -> None:
    # A filter on a logger applies to records logged there, not to its children's: every module logger it is.
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and name.split(".")[0] in _LOGGERS and _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


@contextmanager
def naming_input(path: str) -> Iterator[None]:
    """Library log lines emitted inside name ``path`` (a context variable: safe across threads)."""
    _install()
    token = _INPUT.set(path)
    try:
        yield
    finally:
        _INPUT.reset(token)
