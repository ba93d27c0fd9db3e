"""One error vocabulary (newsdex.errors): what the user can fix is exit code 1 (HTTP 4xx, 503 for an index that
cannot be read) with its one line; anything else raised inside the read side is a bug, exit code 2 (HTTP 500),
even when it is a ValueError such as a JSONDecodeError, which the old "ValueError means bad usage" took for the
user's fault."""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from pathlib import Path

import pytest

from newsdex import errors
from newsdex.index.damage import IndexDamaged as DamageIndexDamaged
from newsdex.index.layout import IndexBusy as LayoutIndexBusy
from newsdex.reading import facets
from tests.conftest import SEEDS
from tests.test_web import build_index


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("errors")
    inputs = work / "inputs"
    inputs.mkdir()
    (inputs / "000.txt").write_bytes((SEEDS / "000_f62cfa61a98d079d.txt").read_bytes())
    return build_index(work / "index", inputs)


def _cli(*argv: str) -> tuple[int, str]:
    from newsdex.search_cli.main import main

    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, err.getvalue()


def _broken(*args, **kwargs):
    json.loads("{not json")  # a bug's own ValueError, raised deep inside a search


def test_the_vocabulary_is_one_family_and_the_old_names_are_the_same_classes() -> None:
    for cls in (errors.QueryError, errors.FilterError, errors.AmbiguousId, errors.IndexMissing, errors.IndexBusy):
        assert issubclass(cls, errors.UserError)
    assert not issubclass(errors.IndexDamaged, errors.UserError)  # the user's to repair, said its own way
    assert DamageIndexDamaged is errors.IndexDamaged and LayoutIndexBusy is errors.IndexBusy
    from newsdex.reading.query import QueryError
    from newsdex.search_cli.output import UsageError

    assert QueryError is errors.QueryError and issubclass(UsageError, errors.UserError)


def test_a_user_error_exits_1_and_a_bug_inside_a_search_exits_2(index: Path, monkeypatch) -> None:
    code, err = _cli("search", "(" * 40 + "x", "--index", str(index))
    assert code == 1 and err.startswith("newsdex search: query nested too deeply")
    code, err = _cli("search", "troops", "--since", "2025-13", "--index", str(index))
    assert (code, err) == (1, "newsdex search: not a date: '2025-13' (use YYYY-MM-DD, YYYY-MM or YYYY)\n")
    monkeypatch.setattr(facets, "by_key", _broken)
    code, err = _cli("search", "troops", "--index", str(index))
    assert code == 2, err
    assert err.startswith("newsdex search: internal error: JSONDecodeError: ") and err.count("\n") == 1


def test_a_missing_index_and_an_ambiguous_or_empty_id_exit_1(index: Path, tmp_path: Path) -> None:
    code, err = _cli("search", "troops", "--index", str(tmp_path / "none"))
    assert code == 1 and "no index at" in err
    code, err = _cli("show", " ", "--index", str(index))
    assert code == 1 and "is required" in err


def test_the_web_page_answers_a_bug_with_500_and_a_user_error_with_400(index: Path, monkeypatch) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        from newsdex.search_cli.web.app import create_app

        client = TestClient(create_app(index), base_url="http://localhost", raise_server_exceptions=False)
    bad = client.get("/api/search", params={"q": "troops", "since": "2025-13"})
    assert bad.status_code == 400 and bad.json()["error"].startswith("not a date")
    monkeypatch.setattr(facets, "by_key", _broken)
    crash = client.get("/api/search", params={"q": "troops"})
    assert crash.status_code == 500
    assert crash.json() == {"error": "internal error: JSONDecodeError", "status": 500}
