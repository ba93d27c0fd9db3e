"""Settings live in one module, are read when asked for (not at import time), and the README lists them all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsdex import settings

REPO = Path(__file__).resolve().parent.parent
CODE = ["core", "tasks", "index", "reading", "flows", "search_cli"]
# A read of the environment: os.environ / os.getenv with the name, or a helper of settings.py given the name.
READ = re.compile(r"""(?:environ(?:\.get)?\s*[\[(]|getenv\(|_int\(|_path\([^,]*,)\s*["'](NEWSDEX_[A-Z_]+)["']""")


def read_in_code() -> dict[str, set[str]]:
    """Every NEWSDEX_* variable the package's code reads, by file."""
    found: dict[str, set[str]] = {}
    for folder in CODE:
        for path in (REPO / folder).rglob("*.py"):
            names = set(READ.findall(path.read_text(encoding="utf-8")))
            if names:
                found[str(path.relative_to(REPO))] = names
    return found


def test_only_the_settings_module_names_the_variables() -> None:
    assert set(read_in_code()) == {"core/settings.py"}


def test_readme_and_settings_docstring_list_every_variable() -> None:
    names = read_in_code()["core/settings.py"]
    assert names >= {"NEWSDEX_INDEX", "NEWSDEX_ALIASES", "NEWSDEX_MAX_BYTES", "NEWSDEX_DEBUG"}  # the reader sees them
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = {m.group(1) for m in re.finditer(r"^\| `(NEWSDEX_[A-Z_]+)` \|", readme, re.M)}
    assert table == names
    doc_table = {m.group(1) for m in re.finditer(r"^\| (NEWSDEX_[A-Z_]+) \|", settings.__doc__ or "", re.M)}
    assert doc_table == names


def test_settings_follow_the_environment_at_run_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSDEX_BATCH", "7")
    monkeypatch.setenv("NEWSDEX_MAX_BYTES", "1234")
    monkeypatch.setenv("NEWSDEX_INDEX", str(tmp_path / "ix"))
    assert (settings.batch_size(), settings.max_bytes(), settings.index_dir()) == (7, 1234, tmp_path / "ix")
    monkeypatch.setenv("NEWSDEX_BATCH", "9")
    assert settings.batch_size() == 9
    monkeypatch.delenv("NEWSDEX_BATCH")
    assert settings.batch_size() == 500


def test_a_run_resolves_its_settings_once_into_a_frozen_value(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from dataclasses import FrozenInstanceError

    from newsdex.flows.options import IngestOptions

    monkeypatch.setenv("NEWSDEX_BATCH", "7")
    monkeypatch.setenv("NEWSDEX_ALIASES", str(tmp_path / "aliases.toml"))
    resolved = settings.Settings.from_env(index=tmp_path / "ix")
    assert (resolved.batch_size, resolved.index, resolved.aliases) == (7, tmp_path / "ix", tmp_path / "aliases.toml")
    monkeypatch.setenv("NEWSDEX_BATCH", "9")
    assert resolved.batch_size == 7  # a value, not a view of the environment
    with pytest.raises(FrozenInstanceError):
        resolved.batch_size = 1  # type: ignore[misc]
    # Options given explicitly win over the settings; the settings a CLI resolved travel as they are.
    options = IngestOptions(index=str(tmp_path / "other"), batch_size=3, settings=resolved)
    assert (options.resolved().index, options.resolved().batch_size) == (tmp_path / "other", 3)
    assert IngestOptions(settings=resolved).resolved() == resolved
    assert IngestOptions().resolved().batch_size == 9  # none given: the environment at the flow's start
    # The flow's parameter survives Prefect's JSON round trip (a deployment's parameters, the UI's form).
    assert IngestOptions.model_validate_json(options.model_dump_json()) == options


@pytest.mark.parametrize(
    ("name", "value"),
    [("NEWSDEX_BATCH", "0"), ("NEWSDEX_BATCH", "many"), ("NEWSDEX_MAX_MERGE_DOCS", "-3"), ("NEWSDEX_WRITER_MB", "0")],
)
def test_a_bad_value_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    getter = {
        "NEWSDEX_BATCH": settings.batch_size,
        "NEWSDEX_MAX_MERGE_DOCS": settings.max_merge_docs,
        "NEWSDEX_WRITER_MB": settings.writer_mb,
    }[name]
    with pytest.raises(ValueError, match=name):
        getter()
    with pytest.raises(ValueError, match=name):
        settings.check()


def test_default_inputs_are_the_packaged_seeds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NEWSDEX_INPUTS", raising=False)
    monkeypatch.chdir(tmp_path)  # no seeds/ here: the packaged ones, by their full path
    (inputs,) = settings.default_inputs()
    assert sorted(p.name for p in Path(inputs).glob("*.txt")) == sorted(p.name for p in (REPO / "seeds").glob("*.txt"))
    monkeypatch.chdir(REPO)  # in the repository: named as a person would type it
    assert settings.default_inputs() == ["seeds"]
    monkeypatch.setenv("NEWSDEX_INPUTS", f"a{':'}b")
    assert settings.default_inputs() == ["a", "b"]


def test_offline_prefect_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in settings.OFFLINE_PREFECT_ENV:
        monkeypatch.delenv(name, raising=False)
    settings.offline_prefect_env()
    import os

    assert {k: os.environ[k] for k in settings.OFFLINE_PREFECT_ENV} == settings.OFFLINE_PREFECT_ENV
