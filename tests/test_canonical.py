"""Canonical names: spelling variants and curated aliases converge on one display name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newsdex.tasks.enrich import canonical
from newsdex.tasks.enrich.canonical import canonical_key, canonicalize, load_aliases_raw


@pytest.mark.parametrize(
    ("name", "type_", "expected"),
    [
        ("Kim Jong-un", "PERSON", "Kim Jong Un"),
        ("Kim Jong Un", "PERSON", "Kim Jong Un"),
        ("KIM JONG UN", "PERSON", "Kim Jong Un"),
        ("kim jong-un", "PERSON", "Kim Jong Un"),
        ("Zelenskyy", "PERSON", "Volodymyr Zelensky"),
        ("Volodymyr Zelenskiy", "PERSON", "Volodymyr Zelensky"),
        ("Zelensky", "PERSON", "Volodymyr Zelensky"),
        ("Putin", "PERSON", "Vladimir Putin"),
        ("Kiev", "LOC", "Kyiv"),
        ("Kiev\u2019s", "GPE", "Kyiv"),  # spaCy's label and a curly possessive
        ("NIS", "ORG", "National Intelligence Service"),
        ("ISW", "ORG", "Institute for the Study of War"),
        ("Institute of the Study of War", "ORG", "Institute for the Study of War"),
        ("the Associated Press", "ORG", "Associated Press"),
        ("Lim Eul-chul", "PERSON", "Lim Eul-chul"),  # hyphens stay as written; the key folds them
        ("Lim Eul Chul", "PERSON", "Lim Eul Chul"),
        ("Jean-Claude Juncker", "PERSON", "Jean-Claude Juncker"),  # a capitalised hyphen stays
        ("North Koreans", "NORP", "North Korean"),
    ],
)
def test_variants_and_aliases_converge(name: str, type_: str, expected: str) -> None:
    assert canonicalize(name, type_) == expected


def test_canonicalize_is_idempotent_and_type_free_lookup_works() -> None:
    for name, type_ in [("Kim Jong-un", "PERSON"), ("Kiev", "LOC"), ("ISW", "ORG"), ("Some New Group", "ORG")]:
        once = canonicalize(name, type_)
        assert canonicalize(once, type_) == once
    # The search CLI may not know the type: a name listed under exactly one type still resolves.
    assert canonicalize("Zelenskiy") == "Volodymyr Zelensky"


def test_key_folds_trivial_differences_only() -> None:
    assert canonical_key("Kim Jong-un") == canonical_key("KIM  JONG UN") == canonical_key("Kim Jong Un")
    assert canonical_key("Zelenskyy") == canonical_key("Zelensky") == canonical_key("Zelenskiy")
    assert canonical_key("José Mourinho") == canonical_key("Jose Mourinho")
    assert canonical_key("U.S.") == canonical_key("US")
    assert canonical_key("The Kremlin") == canonical_key("Kremlin")
    assert canonical_key("Kyiv") != canonical_key("Kiev")  # transliterations are the alias file's job
    assert canonical_key("Kim Jong Un") != canonical_key("Kim Yong-hyun")


def test_alias_file_is_consistent() -> None:
    raw = load_aliases_raw()
    assert set(raw) <= {"PERSON", "ORG", "LOC", "NORP", "MISC", "DATE"}
    for type_, entries in raw.items():
        for name, aliases in entries.items():
            assert canonicalize(name, type_) == name
            for alias in aliases:
                assert canonicalize(alias, type_) == name, (type_, alias)


def test_an_edited_alias_file_is_used(tmp_path, monkeypatch) -> None:
    path = tmp_path / "aliases.toml"
    path.write_text('[PERSON]\n"Kim Jong Un" = ["Kim Jong-eun", "Marshal Kim"]\n[LOC]\n"Kyiv" = ["Kiev"]\n')
    monkeypatch.setenv("NEWSDEX_ALIASES", str(path))
    from newsdex.settings import Settings

    canonical.use_aliases(Settings.from_env().aliases)  # what a run's edge does with the environment
    try:
        assert canonicalize("Marshal Kim", "PERSON") == "Kim Jong Un"
        assert canonicalize("NIS", "ORG") == "NIS"  # no longer listed
    finally:
        canonical.use_aliases(None)
    assert canonicalize("NIS", "ORG") == "National Intelligence Service"


def test_importing_canonical_does_not_import_spacy() -> None:
    code = (
        "import sys, newsdex.tasks.enrich.canonical as c; c.canonicalize('Kiev', 'LOC'); print('spacy' in sys.modules)"
    )
    repo = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo)
    assert out.stdout.strip() == "False"
