"""index/whoosh_internals.py: the installed Whoosh is the one its private parts were written against, another
version or a missing attribute is said in one line and turns the fast paths off, and NEWSDEX_FAST_PATHS=0 turns
them off too; searches then give the same JSON through Whoosh's own code (tests/test_index_scoring.py)."""

from __future__ import annotations

import pytest
import whoosh
from whoosh.codec.whoosh3 import W3LeafMatcher

from newsdex.index import whoosh_internals as internals


@pytest.fixture()
def fresh(monkeypatch: pytest.MonkeyPatch):
    """The check made again for the test (it is remembered per process), and again after it."""
    internals.unsupported.cache_clear()
    monkeypatch.delenv(internals.SWITCH, raising=False)
    yield monkeypatch
    monkeypatch.undo()
    internals.unsupported.cache_clear()


def test_the_installed_whoosh_is_supported(fresh) -> None:
    assert internals.unsupported() is None
    assert internals.supported() and internals.fast_paths()


def test_the_switch_turns_the_fast_paths_off_and_on(fresh) -> None:
    fresh.setenv(internals.SWITCH, "0")
    assert internals.supported() and not internals.fast_paths()
    fresh.setenv(internals.SWITCH, "1")
    assert internals.fast_paths()


def test_another_version_is_not_supported(fresh) -> None:
    fresh.setattr(whoosh, "__version__", (2, 8, 0))
    assert "2.7" in (internals.unsupported() or "")
    assert not internals.fast_paths()


def test_a_missing_private_method_is_not_supported(fresh) -> None:
    fresh.delattr(W3LeafMatcher, "_read_data")
    reason = internals.unsupported()
    assert reason == "Whoosh's W3LeafMatcher has no _read_data"
    assert not internals.supported()
