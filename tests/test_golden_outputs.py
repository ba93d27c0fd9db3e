"""The read side's outputs, byte for byte: ``search`` (filters, facets, intervals, paging, copies, a suggestion),
``show``, ``similar``, ``entities``, ``stats``, ``duplicates``, ``export`` (JSON Lines, CSV), their one-line errors
with exit codes, and the web page's API answers and pages, over one fixed corpus (the seeds and generated
articles with copies), compared with the files under tests/data/golden/.

The files were written from the code before the read side was rebuilt (issue 24), so a refactoring that changes
one byte of what a user sees fails here. After a change that is meant to change an output, write them again with
``python -m tests.test_golden_outputs --write`` and read the diff before committing it.

Ids come from input paths (newsdex.models.document_id hashes the absolute path), so the corpus is given fixed
relative paths and ids of its own: the outputs are then the same in every checkout and temporary folder.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest

from tests.conftest import ARTICLES, SEEDS

GOLDEN = Path(__file__).resolve().parent / "data" / "golden"
INDEX_MARK = "<INDEX>"  # the index folder, wherever this run put it

# (name, argv) of CLI runs; {a}, {b}, {c}: ids found in the corpus (see _refs).
CLI_CASES: list[tuple[str, list[str]]] = [
    ("search_troops", ["search", "troops", "--json"]),
    ("search_phrase", ["search", '"Kursk region"', "--json", "--limit", "3"]),
    ("search_all_newest", ["search", "--all", "--sort", "newest", "--limit", "7", "--json"]),
    ("search_all_oldest_year", ["search", "--all", "--sort", "oldest", "--interval", "year", "--json"]),
    ("search_interval_day", ["search", "russia", "--interval", "day", "--json"]),
    ("search_interval_month", ["search", "ukraine OR korea", "--interval", "month", "--json"]),
    ("search_offset", ["search", "--all", "--limit", "4", "--offset", "3", "--json"]),
    ("search_offset_relevance", ["search", "the", "--limit", "3", "--offset", "2", "--json"]),
    ("search_all_copies", ["search", "--all", "--all-copies", "--limit", "30", "--json"]),
    ("search_all_copies_query", ["search", "said", "--all-copies", "--json"]),
    ("search_entity", ["search", "*", "--entity", "PERSON:Vladimir Putin", "--json"]),
    ("search_entity_alias", ["search", "--all", "--entity", "LOC:Russian Federation", "--json"]),
    ("search_source", ["search", "--all", "--source", "abc7ny.com", "--json"]),
    ("search_lang", ["search", "--all", "--lang", "en,de", "--json"]),
    ("search_dates", ["search", "--all", "--since", "2024", "--until", "2025-06", "--json"]),
    ("search_since_day", ["search", "said", "--since", "2025-01-15", "--json"]),
    ("search_field_title", ["search", "title:nasa NOT jupiter", "--json"]),
    ("search_prefix", ["search", "kore*", "--json"]),
    ("search_did_you_mean", ["search", "kurst", "--json"]),
    ("search_did_you_mean_two", ["search", "ukriane troops", "--json"]),
    ("search_alias_word", ["search", "zelenskiy", "--json"]),
    ("search_nothing", ["search", "qqqzzzxxy", "--json"]),
    ("search_passages_human", ["search", "troops", "--passages", "--limit", "3"]),
    ("search_human", ["search", "--all", "--limit", "5"]),
    ("error_search_bad_query", ["search", "(" * 40 + "x", "--json"]),
    ("error_search_bad_date", ["search", "troops", "--since", "2025-13", "--json"]),
    ("error_search_bad_entity_type", ["search", "troops", "--entity", "THING:x", "--json"]),
    ("error_search_bad_offset", ["search", "troops", "--offset", "10001", "--json"]),
    ("error_search_too_long", ["search", "word " * 400, "--json"]),
    ("show_a", ["show", "{a}", "--json"]),
    ("show_a_explain", ["show", "{a}", "--explain", "--json"]),
    ("show_b_prefix", ["show", "{b6}", "--json"]),
    ("show_c_human", ["show", "{c}"]),
    ("error_show_missing", ["show", "ffffffffffff", "--json"]),
    ("error_show_ambiguous", ["show", "{ambiguous}", "--json"]),
    ("error_show_empty", ["show", " ", "--json"]),
    ("similar_a", ["similar", "{a}", "--json"]),
    ("similar_b_limit", ["similar", "{b}", "--limit", "2", "--json"]),
    ("similar_c_human", ["similar", "{c}"]),
    ("error_similar_missing", ["similar", "ffffffffffff", "--json"]),
    ("entities", ["entities", "--json"]),
    ("entities_person", ["entities", "--type", "PERSON", "--limit", "5", "--json"]),
    ("entities_human", ["entities"]),
    ("duplicates", ["duplicates", "--json"]),
    ("stats", ["stats", "--json"]),
    ("error_export_bad_query", ["export", "(" * 40 + "x", "--output", "{out}.jsonl"]),
]
# (name, argv) of exports to a file, whose bytes are compared.
EXPORT_CASES: list[tuple[str, list[str]]] = [
    ("export_all.jsonl", ["export", "--format", "jsonl"]),
    ("export_all.csv", ["export", "--format", "csv"]),
    ("export_query.jsonl", ["export", "troops", "--json"]),
    ("export_filtered.csv", ["export", "*", "--lang", "en", "--since", "2024", "--format", "csv"]),
    ("export_entity.jsonl", ["export", "said", "--entity", "PERSON:Vladimir Putin"]),
]
# Web answers: JSON API and pages, errors included.
WEB_CASES: list[tuple[str, str]] = [
    ("api_search_troops", "/api/search?q=troops&limit=3"),
    ("api_search_filters", "/api/search?q=*&lang=en&entity=PERSON:Vladimir%20Putin&sort=newest"),
    ("api_search_suggest", "/api/search?q=kurst"),
    ("api_search_copies", "/api/search?q=said&all_copies=1"),
    ("api_search_offset", "/api/search?q=*&limit=2&offset=3"),
    ("api_search_interval", "/api/search?q=*&interval=year&since=2020&source=abc7ny.com"),
    ("api_search_bad_query", "/api/search?q=" + "(" * 40 + "x"),
    ("api_search_bad_entity", "/api/search?q=x&entity=THING:y"),
    ("api_search_bad_sort", "/api/search?q=x&sort=sideways"),
    ("api_search_bad_date", "/api/search?q=x&since=2025-13"),
    ("api_search_bad_offset", "/api/search?q=x&offset=99999"),
    ("api_show_a", "/api/show/{a}"),
    ("api_show_a_explain", "/api/show/{a}?explain=1"),
    ("api_show_missing", "/api/show/ffffffffffff"),
    ("api_show_ambiguous", "/api/show/{ambiguous}"),
    ("api_similar_b", "/api/similar/{b}?limit=2"),
    ("api_similar_missing", "/api/similar/ffffffffffff"),
    ("api_entities", "/api/entities"),
    ("api_entities_person", "/api/entities?type=person&limit=5"),
    ("api_entities_bad", "/api/entities?type=thing"),
    ("api_stats", "/api/stats"),
    ("page_home", "/"),
    ("page_search", "/search?q=troops"),
    ("page_search_filters", "/search?q=said&lang=en&sort=newest&interval=month"),
    ("page_search_page2", "/search?q=*&page=2"),
    ("page_search_copies", "/search?q=said&all_copies=1"),
    ("page_search_suggest", "/search?q=kurst"),
    ("page_search_bad", "/search?q=" + "(" * 40 + "x"),
    ("page_doc_a", "/doc/{a}"),
    ("page_doc_missing", "/doc/ffffffffffff"),
    ("page_entity", "/entity/PERSON/Volodymyr%20Zelensky"),
    ("page_no_route", "/entities"),
]


def _fixed(raw, rel: str):
    """The loaded input under a path and id that do not depend on where the corpus was written."""
    return raw.model_copy(update={"path": rel, "id": hashlib.sha1(f"golden/{rel}".encode()).hexdigest()[:16]})


def build_corpus_index(work: Path) -> Path:
    """The seeds plus 40 generated articles (a fifth of them copies of others), cleaned, enriched and written as
    ingest does (without a Prefect server), under fixed paths and ids."""
    from newsdex.flows.batch import process_batch
    from newsdex.index.store import IndexStore
    from newsdex.tasks import load
    from newsdex.tasks.clean.rules import load_rules
    from tools.corpus import generate_corpus

    inputs = work / "inputs"
    shutil.copytree(SEEDS, inputs / "seeds")
    generate_corpus(inputs / "generated", 40, seed=24, extraction=ARTICLES, copies=0.2)
    raws = []
    for path in load.iter_input_files([str(inputs)]):
        loaded = load.load_path(path)
        if not hasattr(loaded, "reason"):
            raws.append(_fixed(loaded, Path(path).relative_to(inputs).as_posix()))
    raws.sort(key=lambda r: r.path)
    docs = process_batch(raws, load_rules()).docs
    store = IndexStore(work / "index")
    with store.writing():
        store.write(docs)
    return work / "index"


def _refs(index: Path) -> dict[str, str]:
    """Ids to ask for: three documents, a unique prefix and a prefix two ids share."""
    ids = _all_ids(index)
    shared = next(a[:1] for a, b in zip(ids, ids[1:], strict=False) if a[:1] == b[:1])
    return {"a": ids[0], "b": ids[len(ids) // 2], "b6": ids[len(ids) // 2][:6], "c": ids[-1], "ambiguous": shared}


def _all_ids(index: Path) -> list[str]:
    code, out, _ = _cli(index, ["search", "--all", "--all-copies", "--limit", "1000", "--json"])
    assert code == 0
    return sorted(h["id"] for h in json.loads(out)["hits"])


def _cli(index: Path, argv: list[str]) -> tuple[int, str, str]:
    """``newsdex ARGV --index INDEX`` in this process: exit code, stdout, stderr."""
    from newsdex.search_cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--index", str(index)])
    return code, out.getvalue(), err.getvalue()


def _masked(text: str, index: Path) -> str:
    return text.replace(str(index), INDEX_MARK)


def produce(index: Path, scratch: Path) -> dict[str, str]:
    """Every golden output, by file name."""
    refs = _refs(index)
    out: dict[str, str] = {}
    for name, argv in CLI_CASES:
        argv = [a.format(**refs, out=scratch / name) for a in argv]
        code, stdout, stderr = _cli(index, argv)
        if name == "stats":  # what depends on the machine, not on the read side
            data = json.loads(stdout)
            data["index_bytes"] = 0
            stdout = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        out[f"cli_{name}.txt"] = _masked(f"exit {code}\n--- stdout\n{stdout}--- stderr\n{stderr}", index)
    for name, argv in EXPORT_CASES:
        target = scratch / name
        code, stdout, stderr = _cli(index, [*argv, "--output", str(target)])
        assert code == 0, (name, stderr)
        out[name] = _masked(target.read_text(encoding="utf-8"), index)
        out[f"{name}.stderr.txt"] = _masked(stderr.replace(str(target), "<OUTPUT>"), index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        from newsdex.search_cli.web.app import create_app

        client = TestClient(create_app(index), base_url="http://localhost")
        for name, url in WEB_CASES:
            response = client.get(url.format(**refs))
            text = response.text
            if name == "api_stats":
                data = json.loads(text)
                data["index_bytes"] = 0
                text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
            head = f"{response.status_code} {response.headers.get('content-type')}\n"
            out[f"web_{name}.txt"] = _masked(head + text, index)
    return out


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("golden")
    index = build_corpus_index(work)
    scratch = work / "scratch"
    scratch.mkdir()
    return produce(index, scratch)


def test_every_golden_file_is_produced_and_nothing_else(outputs: dict[str, str]) -> None:
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(outputs)


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.iterdir()) if GOLDEN.exists() else [])
def test_output_is_byte_identical(outputs: dict[str, str], name: str) -> None:
    expected = (GOLDEN / name).read_bytes().decode("utf-8")
    assert outputs.get(name) == expected, name


def main() -> int:
    ap = argparse.ArgumentParser(description="write tests/data/golden/ from the current code")
    ap.add_argument("--write", action="store_true", help="replace the golden files")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        index = build_corpus_index(work)
        (work / "scratch").mkdir()
        found = produce(index, work / "scratch")
    if not args.write:
        changed = [n for n, t in found.items() if not (GOLDEN / n).exists() or (GOLDEN / n).read_text("utf-8") != t]
        print("\n".join(changed) or "all golden files match")
        return 1 if changed else 0
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    GOLDEN.mkdir(parents=True)
    for name, text in found.items():
        (GOLDEN / name).write_bytes(text.encode("utf-8"))
    print(f"wrote {len(found)} files to {GOLDEN}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
