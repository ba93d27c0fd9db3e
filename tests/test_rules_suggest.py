"""Rule mining: repeated lines per source become candidate rules; the CLI prints pasteable TOML."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from newsdex.search_cli.main import main
from newsdex.tasks.clean.mining import mine, toml_snippet


def _site(tmp_path: Path) -> Path:
    folder = tmp_path / "gazette"
    folder.mkdir()
    for i in range(4):
        (folder / f"story{i}.txt").write_text(
            f"Morning Gazette Front Page\nHeadline number {i} about the new tram line opening\n"
            f"The tram line opened on day {i} after years of building work, the transport office said today.\n"
            "Advertisement\nFollow the Morning Gazette on Mastodon\n",
            encoding="utf-8",
        )
    return folder


def test_mine_counts_per_source():
    docs = [("a.example", f"a{i}", ["Footer of A", f"unique {i}"]) for i in range(3)]
    docs += [("b.example", "b0", ["Footer of A"])]
    found = mine(docs, min_docs=3)
    assert [(c.source, c.text, c.docs, c.of_docs) for c in found] == [("a.example", "Footer of A", 3, 3)]


def test_snippet_is_valid_toml_for_the_rules_file():
    found = mine([("news.example", str(i), ['Say "hi" to our app']) for i in range(3)], min_docs=2)
    parsed = tomllib.loads(toml_snippet("news.example", found))
    rule = parsed["sites"]["news.example"]["line"][0]
    assert rule["lines"] == ['Say "hi" to our app'] and rule["action"] == "remove"


def test_cli_suggest_lists_new_candidates_only(tmp_path: Path, capsys):
    folder = _site(tmp_path)
    assert main(["rules", "suggest", str(folder), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    texts = {c["text"] for c in out["candidates"]}
    assert texts == {"Morning Gazette Front Page", "Follow the Morning Gazette on Mastodon"}
    assert all(c["docs"] == 4 and c["source"] == str(folder) for c in out["candidates"])
    assert main(["rules", "suggest", str(folder), "--all", "--json"]) == 0
    everything = json.loads(capsys.readouterr().out)["candidates"]
    assert {"Advertisement": "ad-marker"}.items() <= {c["text"]: c["already_removed_by"] for c in everything}.items()


def test_cli_suggest_human_output_is_pasteable(tmp_path: Path, capsys):
    assert main(["rules", "suggest", str(_site(tmp_path))]) == 0
    text = capsys.readouterr().out
    toml_part = "\n".join(ln for ln in text.splitlines() if not ln.startswith("#"))
    assert tomllib.loads(toml_part)["sites"]


def test_accepted_suggestion_applies_to_that_folder(tmp_path: Path, capsys):
    from newsdex.tasks.shipped import DEFAULT_RULES

    folder = _site(tmp_path)
    assert main(["rules", "suggest", str(folder)]) == 0
    snippet = "\n".join(ln for ln in capsys.readouterr().out.splitlines() if not ln.startswith("#"))
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(DEFAULT_RULES.read_text(encoding="utf-8") + "\n" + snippet, encoding="utf-8")
    assert main(["clean", str(folder / "story1.txt"), "--rules", str(rules_file), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "Mastodon" not in doc["body"]
    assert {r["rule"] for r in doc["removed"]} >= {"gazette-repeated"} or any(
        r["rule"].endswith("-repeated") for r in doc["removed"]
    )
