"""A new user's first minute (issue: output from the first second, nothing lost on Ctrl-C, answers that never
mislead), one test per thing such a user met, on the seeds as a user ingests them."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsdex.search_cli.terminal import display_width
from tests.conftest import REPO, SEEDS, run_cli
from tools.terminal_run import run_in_terminal

SEED_004 = "seeds/004_c660a855ca50e628.txt"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="module")
def user(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A user's folder: the seeds copied in, ingested by `newsdex ingest seeds` at a terminal (the real command,
    its own Prefect), the index in var/index as the README says."""
    home = tmp_path_factory.mktemp("user")
    shutil.copytree(SEEDS, home / "seeds")
    env = {"NEWSDEX_INDEX": str(home / "var" / "index"), "PREFECT_HOME": str(home / "prefect")}
    run = run_in_terminal([sys.executable, "-m", "newsdex.search_cli", "ingest", "seeds"], env=env, cwd=str(home))
    assert run.returncode == 0, run.output[-2000:]
    return {"home": home, "env": env, "index": home / "var" / "index", "run": run}


def _cli(user: dict, *args: str) -> subprocess.CompletedProcess:
    return run_cli(*args, env=user["env"], cwd=user["home"])


def _json(user: dict, *args: str) -> dict:
    proc = _cli(user, *args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# -- any `newsdex ingest` prints nothing while Prefect starts and spaCy loads --------------------------------------


def test_ingest_says_what_it_does_from_its_first_second_and_reports_its_whole_time(user: dict) -> None:
    run = user["run"]
    shown = ANSI.sub("", run.output)
    # Its first words come before Prefect's server has started (that takes seconds): the CLI's own.
    first = ANSI.sub("", b"".join(c for t, c in run.chunks if t <= run.first_output + 0.5).decode("utf-8", "replace"))
    assert any(w in first for w in ("starting", "scanning inputs", "comparing")), first
    assert "starting the flow runner" in shown and "ingesting" in shown and "5/5" in shown
    summary = shown.strip().splitlines()[-3:]
    assert any(re.search(r"\d+\.\ds in the flow, \d+\.\ds in all", line) for line in summary), summary
    in_flow, in_all = map(float, re.search(r"(\d+\.\d)s in the flow, (\d+\.\d)s in all", shown).groups())
    assert in_all >= in_flow


def test_ingest_off_a_terminal_or_quiet_writes_no_escape_codes(user: dict, tmp_path: Path) -> None:
    env = {**user["env"], "NEWSDEX_INDEX": str(tmp_path / "index")}
    proc = run_cli("ingest", "seeds/000_f62cfa61a98d079d.txt", env=env, cwd=user["home"])
    assert proc.returncode == 0 and "\x1b" not in proc.stderr + proc.stdout and proc.stderr == "", proc.stderr
    quiet = run_in_terminal(
        [sys.executable, "-m", "newsdex.search_cli", "ingest", "seeds/000_f62cfa61a98d079d.txt", "--quiet"],
        env=env,
        cwd=str(user["home"]),
    )
    assert quiet.returncode == 0 and "\x1b" not in quiet.output and "nothing to do" in quiet.output


# -- re-ingest of a folder where nothing changed ----------------------------------------------------------------


def test_a_re_ingest_of_unchanged_inputs_starts_no_flow_and_says_so(user: dict) -> None:
    code = (
        "import sys, json\nfrom newsdex.search_cli.main import run_command\n"
        "code = run_command(['ingest', 'seeds', '--json'])\n"
        "heavy = [m for m in ('prefect', 'spacy', 'trafilatura') if m in sys.modules]\n"
        "print(json.dumps({'code': code, 'heavy': heavy}), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=user["home"],
        env={**os.environ, **user["env"]},
        timeout=300,
    )
    said = json.loads(proc.stderr.strip().splitlines()[-1])
    assert said == {"code": 0, "heavy": []}, proc.stderr
    report = json.loads(proc.stdout)
    assert report["unchanged"] == 5 and report["new"] == report["changed"] == 0 and report["runner"]["kind"] == "none"
    human = _cli(user, "ingest", "seeds")
    assert human.stdout.startswith("nothing to do: 5 inputs unchanged"), human.stdout
    runs = _json(user, "stats")["runs"]
    assert runs[0]["unchanged"] == 5  # recorded as a run, as a flow's


def test_a_changed_or_added_input_still_runs_the_flow(user: dict, tmp_path: Path) -> None:
    from newsdex.index.store import IndexStore
    from newsdex.models import document_id
    from newsdex.tasks.clean.rules import load_rules
    from newsdex.tasks.load import input_hash, iter_input_files

    store = IndexStore(user["index"])
    version = load_rules().version
    os.chdir(user["home"])
    try:
        files = iter_input_files(["seeds"])
        items = [(document_id(f), f, input_hash(f)) for f in files]
        assert store.unchanged(items, version)
        assert not store.unchanged(items, "another-rules-version")
        assert not store.unchanged([*items[:-1], (items[-1][0], items[-1][1], "0" * 64)], version)  # other bytes
        extra = tmp_path / "new.txt"
        extra.write_text("A new article about Kursk.", encoding="utf-8")
        assert not store.unchanged([*items, (document_id(str(extra)), str(extra), input_hash(str(extra)))], version)
        assert store.unchanged(items[:2], version, prune=False)  # a subset is unchanged...
        gone = user["home"] / "seeds" / Path(files[0]).name
        moved = tmp_path / "moved.txt"
        shutil.copy(gone, moved)
        gone.unlink()
        try:  # ...but with --prune a vanished input is work to do
            assert not store.unchanged(items[1:], version, prune=True)
        finally:
            shutil.copy(moved, gone)
    finally:
        os.chdir(REPO)


def test_an_outside_symlink_is_never_taken_for_nothing_to_do(user: dict, tmp_path: Path) -> None:
    """Regression: the no-op survey listed files without the flow's symlink rule, so after a plain ingest had
    quarantined a symlink pointing outside its folder, `ingest --follow-symlinks` said "nothing to do"."""
    news, elsewhere = tmp_path / "news", tmp_path / "elsewhere"
    news.mkdir()
    elsewhere.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    shutil.copy(seeds[0], news / "a.txt")
    shutil.copy(seeds[1], elsewhere / "b.txt")
    (news / "b.txt").symlink_to(elsewhere / "b.txt")
    env = {**user["env"], "NEWSDEX_INDEX": str(tmp_path / "ix")}
    first = run_cli("ingest", str(news), "--json", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["new"] == 1 and [q for q in report["quarantined"] if q["path"].endswith("b.txt")]
    again = run_cli("ingest", str(news), "--follow-symlinks", "--json", env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["runner"]["kind"] != "none" and report["new"] == 1 and report["quarantined"] == []


# -- Ctrl-C keeps what is done; Prefect's home is newsdex's own ----------------------------------------------------


def test_ctrl_c_keeps_the_finished_batches_says_so_and_a_rerun_finishes(tmp_path: Path) -> None:
    """A run of 40 documents (under one default batch of 500): Ctrl-C after its second commit keeps what was
    committed, the last line says how many, no Prefect "Crash detected!" line; the rerun finishes the rest. The
    user has never set Prefect up (no PREFECT_* at all, an empty home): its database goes to newsdex's state
    folder, never ~/.prefect."""
    from tests.corpus_variants import make_variants
    from tools.watch import indexed_rows

    make_variants(tmp_path / "docs", 40)
    home, index = tmp_path / "home", tmp_path / "index"
    home.mkdir()
    # As a user who never set Prefect up: none of the test harness's PREFECT_* (the offline ones are newsdex's).
    unset = tuple(n for n in os.environ if n.startswith("PREFECT_") and n not in OFFLINE) + ("XDG_STATE_HOME",)
    env = {"HOME": str(home)}
    seen: list[int] = []

    def after_two_commits(_output: str) -> bool:
        n = indexed_rows(index)
        if n and (not seen or n > seen[-1]):
            seen.append(n)
        return len(seen) >= 2

    argv = [sys.executable, "-m", "newsdex.search_cli", "ingest", str(tmp_path / "docs"), "--index", str(index)]
    stopped = run_in_terminal(argv, env=env, interrupt_when=after_two_commits, unset=unset)
    shown = ANSI.sub("", stopped.output)
    kept = indexed_rows(index)
    assert stopped.returncode == 130, shown[-2000:]
    assert 0 < kept <= 40, kept  # under load the batch in hand may finish before the stop is seen
    last = shown.strip().splitlines()[-1]
    assert last == f"newsdex: interrupted: {kept} documents kept; `newsdex ingest` again finishes the rest", last
    assert "Crash detected" not in shown and "Traceback" not in shown, shown[-3000:]
    child = {k: v for k, v in {**os.environ, **env}.items() if k not in unset}
    again = subprocess.run([*argv, "--json"], capture_output=True, text=True, env=child, cwd=REPO, timeout=600)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["unchanged"] == kept and report["new"] == 40 - kept and report["documents"] == 40
    # Prefect's database: in newsdex's state folder, nothing in ~/.prefect.
    state = home / ".local" / "state" / "newsdex" / "prefect"
    assert list(state.glob("*.db")), sorted(p.name for p in state.iterdir()) if state.exists() else "no state folder"
    assert not list((home / ".prefect").glob("*.db"))


OFFLINE = {"PREFECT_SERVER_ANALYTICS_ENABLED", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"}


def test_prefect_home_is_newsdex_own_unless_the_user_set_prefect_up(tmp_path: Path, monkeypatch) -> None:
    from newsdex import settings

    for name in ("PREFECT_HOME", "PREFECT_API_URL", "PREFECT_PROFILES_PATH", "XDG_STATE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert settings.prefect_home() == tmp_path / ".local" / "state" / "newsdex" / "prefect"
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert settings.prefect_home() == tmp_path / "state" / "newsdex" / "prefect"
    profiles = tmp_path / ".prefect" / "profiles.toml"
    profiles.parent.mkdir()
    profiles.write_text('active = "ephemeral"\n\n[profiles.ephemeral]\n', encoding="utf-8")  # Prefect's own
    assert settings.prefect_home() is not None
    profiles.write_text('active = "work"\n\n[profiles.work]\nPREFECT_API_URL = "http://x:4200/api"\n')
    assert settings.prefect_home() is None  # a profile of the user's: theirs
    profiles.unlink()
    for name, value in (("PREFECT_HOME", str(tmp_path / "mine")), ("PREFECT_API_URL", "http://127.0.0.1:4200/api")):
        monkeypatch.setenv(name, value)
        assert settings.prefect_home() is None
        monkeypatch.delenv(name)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "kept"))
    settings.offline_prefect_env()
    assert os.environ["PREFECT_HOME"] == str(tmp_path / "kept")


# -- `newsdex show`: every entity, grouped, counted, in mention order -------------------------------------------


def test_show_lists_every_entity_grouped_counted_in_mention_order(user: dict) -> None:
    doc = _json(user, "show", SEED_004)
    human = _cli(user, "show", SEED_004).stdout
    listed = human[human.index("entities (") :]
    assert f"entities ({len(doc['entities'])})" in listed
    flat = " ".join(listed.split())
    for e in doc["entities"]:
        if e["type"] != "DATE":
            assert e["name"] in flat, e["name"]
    for name in ("Kyrylo Budanov", "Mark Rutte", "Vladimir Putin", "Volodymyr Zelensky"):  # one mention each
        assert name in flat
    for etype in {e["type"] for e in doc["entities"]}:
        assert f"{etype} {sum(e['type'] == etype for e in doc['entities'])}:" in flat
    people = [e["name"] for e in doc["entities"] if e["type"] == "PERSON"]
    shown = re.search(r"PERSON \d+: (.*?) (?:ORG|LOC|NORP|MISC|DATE) \d+:", flat).group(1)
    order = sorted(people, key=lambda n: shown.index(n))
    body = doc["title"] + "\n" + doc["body"]
    firsts = [
        min(i for i in (body.find(m) for m in [e["name"], *e["mentions"]]) if i >= 0)
        for n in order
        for e in doc["entities"]
        if e["name"] == n and e["type"] == "PERSON"
    ]
    assert firsts == sorted(firsts), order


def test_show_cuts_long_value_lists_with_a_count_and_all_entities_lists_them(user: dict) -> None:
    from newsdex.search_cli import cmd_show

    doc = _json(user, "show", SEED_004)
    dates = [e for e in doc["entities"] if e["type"] == "DATE"]
    assert len(dates) >= 3
    limit = cmd_show.VALUE_LIMIT
    try:
        cmd_show.VALUE_LIMIT = 2
        cut = " ".join(cmd_show.entity_lines(doc))
        whole = " ".join(cmd_show.entity_lines(doc, all_entities=True))
    finally:
        cmd_show.VALUE_LIMIT = limit
    assert f"+{len(dates) - 2} more (--all-entities)" in cut
    assert "more (--all-entities)" not in whole and all(d["name"] in whole for d in dates)
    assert "--all-entities" in _cli(user, "show", "--help").stdout


# -- did you mean -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["gulag sanctons", "kurst", "ukriane troops", "zzqxvw", "facebook outage", "pyongyng", "gulags sanctons"]
)
def test_a_suggestion_is_only_offered_with_hits_and_says_how_many(user: dict, query: str) -> None:
    result = _json(user, "search", query)
    if result["suggestion"] is None:
        assert result["suggestion_hits"] is None
        return
    again = _json(user, "search", result["suggestion"])
    assert result["suggestion_hits"] == again["total"] > result["total"]
    human = _cli(user, "search", query).stdout
    n = again["total"]
    assert f"did you mean: {result['suggestion']} ({n} hit{'s' if n != 1 else ''})" in " ".join(human.split())


def test_kurst_still_suggests_kursk(user: dict) -> None:
    result = _json(user, "search", "kurst")
    assert result["suggestion"] == "kursk" and result["suggestion_hits"] == _json(user, "search", "kursk")["total"]


# -- similar explains with names and content words --------------------------------------------------------------


def test_similar_never_explains_with_function_words(user: dict) -> None:
    from newsdex.reading.similar import function_words

    stop = function_words("en")
    assert {"but", "both", "might", "get", "said"} <= stop and "war" not in stop and "troops" not in stop
    reasons = 0
    for seed in sorted(SEEDS.glob("*.txt")):
        result = _json(user, "similar", f"seeds/{seed.name}")
        for hit in result["hits"]:
            assert not [w for w in hit["shared"] if w.lower() in stop], hit["shared"]
            reasons += len(hit["shared"])
        assert not [w for w in result["terms"] if w.lower() in stop], result["terms"]
    assert reasons >= 10


def test_a_function_word_is_never_distinctive_whatever_its_spelling(user: dict) -> None:
    """Regression: after per-language fields came in, a stem was checked against the function words only through
    its most frequent spelling, so "telling" and "giving" (stems tell, give: function words) became reasons."""
    from newsdex.index.analysis import stop_terms
    from newsdex.reading.archive import Archive
    from newsdex.reading.similar import _distinctive, function_words

    body = "Telling and telling again, giving and giving more: Kursk troops shelling Kursk troops. " * 3
    with Archive(user["index"]) as archive:
        parts, _ = _distinctive(archive.searcher(), body, "body", stop_terms("en"), function_words("en"))
    labels = {p.label.lower() for p in parts}
    assert "shelling" in labels and not labels & {"telling", "giving", "tell", "give", "and", "again", "more"}, labels


# -- date histograms -----------------------------------------------------------------------------------------------


def test_one_month_is_labelled_once(user: dict) -> None:
    out = _cli(user, "search", "troops", "--interval", "month").stdout
    chart = out[out.index("published per month") :]
    assert chart.count("2025-01") == 1, chart


def _periods(names: list[str], counts: list[int] | None = None) -> list[dict]:
    return [{"period": n, "count": (counts or [1] * len(names))[i]} for i, n in enumerate(names)]


def _months(first_year: int, n: int) -> list[str]:
    return [f"{first_year + (m // 12)}-{m % 12 + 1:02d}" for m in range(n)]


@pytest.mark.parametrize("n", [2, 9, 24, 88])
def test_the_terminal_chart_labels_enough_bars_each_under_its_bar(n: int) -> None:
    from newsdex.search_cli.cmd_search import date_lines

    names = _months(2018, n)
    head, bars, axis = date_lines(_periods(names), {"interval": "month", "undated": 0}, n, columns=80)
    assert max(display_width(line) for line in (head, bars, axis)) <= 80
    labels = re.findall(r"\d{4}-\d{2}", axis)
    assert len(labels) == len(set(labels)) and labels[0] == names[0]
    assert len(labels) >= min(n, 3), axis
    step = -(-n // min(60, 80 - 2 - 7))
    per_bar = (len(bars) - 2 + 1) // -(-n // step)
    for label in labels:  # each label starts under the bar of its period
        assert (axis.index(label) - 2) // per_bar == names.index(label) // step


@pytest.mark.parametrize("n", [1, 9, 30, 88])
def test_the_web_chart_labels_more_than_its_two_ends(n: int) -> None:
    from newsdex.search_cli.web.render import histogram

    names = _months(2018, n)
    chart = histogram(_periods(names), "month")
    texts = [label["text"] for label in chart["labels"]]
    assert texts[0] == names[0] and len(texts) == len(set(texts))
    assert len(texts) >= (1 if n == 1 else 3), texts
    xs = [label["x"] for label in chart["labels"]]
    assert xs == sorted(xs)


# -- snippets and passages -----------------------------------------------------------------------------------------


def _starts_at_word(body: str, text: str) -> bool:
    at = body.find(text[:40])
    return at >= 0 and (at == 0 or not body[at - 1].isalnum())


def _ends_at_word(body: str, text: str) -> bool:
    at = body.find(text[-40:])
    end = at + len(text[-40:])
    return at >= 0 and (end == len(body) or not body[end].isalnum())


def _plain(marked: str) -> tuple[str, bool, bool]:
    text = html.unescape(re.sub(r"</?b>", "", marked))
    cut_start, cut_end = text.startswith("… "), text.endswith(" …")
    return text.removeprefix("… ").removesuffix(" …"), cut_start, cut_end


@pytest.mark.parametrize("query", ["troops", "*", "kursk", '"Kim Jong Un"', "gulags", "war", "Pyongyang"])
def test_snippets_and_passages_start_and_end_at_words_and_mostly_sentences(user: dict, query: str) -> None:
    result = _json(user, "search", query, "--limit", "20")
    assert result["hits"]
    for hit in result["hits"]:
        body = " ".join(_json(user, "show", hit["id"])["body"].split())
        for marked in [hit["snippet"], *(p["text"] for p in hit["passages"])]:
            for piece in _plain(marked)[0].split(" … "):
                piece = " ".join(piece.split())
                assert _starts_at_word(body, piece) and _ends_at_word(body, piece), (query, piece[:60], piece[-60:])
        text, cut_start, cut_end = _plain(hit["snippet"])
        if not cut_start:  # a snippet that is not marked as cut starts a sentence
            assert text[:1].isupper() or text[:1] in "“\"‘'(", text[:60]
        if not cut_end:
            assert text.rstrip()[-1:] in ".!?”\"’')…", text[-60:]


def test_a_long_sentence_is_cut_at_a_word_with_an_ellipsis() -> None:
    from newsdex.reading.snippets import lead, sentence_end, sentence_start

    text = "First sentence here. " + "word " * 100 + "end."
    assert lead(text, 60) == "First sentence here."
    assert lead("word " * 80, 50).endswith(" …") and not lead("word " * 80, 50)[:-2].endswith("wor")
    at = text.index("word") + 7
    assert text[sentence_start(text, at)] == "w" and sentence_start(text, at) == text.index("word")
    assert sentence_end(text, 5) == len("First sentence here.")


# -- the README's examples -----------------------------------------------------------------------------------------

READ_COMMANDS = {"search", "show", "similar", "export", "entities", "stats", "duplicates", "check"}


def readme_examples() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("newsdex ") and line.split()[1] in READ_COMMANDS:
                found.append(line)
    return found


def test_the_readme_has_read_examples() -> None:
    assert len(readme_examples()) >= 12


@pytest.mark.parametrize("line", readme_examples())
def test_every_readme_example_returns_something_on_the_seed_index(user: dict, line: str, tmp_path: Path) -> None:
    if "| jq" in line and shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    command = re.sub(r"\s+#\s[^'\"]*$", "", line)  # the comment after the command
    work = tmp_path / "work"
    shutil.copytree(user["home"] / "seeds", work / "seeds")
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, **user["env"], "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, cwd=work, env=env, timeout=300
    )
    assert proc.returncode == 0, (command, proc.stderr)
    written = [p for p in work.iterdir() if p.is_file()]
    out = proc.stdout.strip() or "".join(p.read_text(encoding="utf-8") for p in written).strip()
    assert out and out != "null", (command, proc.stderr)
    if " search " in f" {command} " and "--json" not in command:
        assert not out.startswith("0 hits") or "did you mean" in out, (command, out)


# -- help and human output fit 80 columns --------------------------------------------------------------------------

COMMANDS = [
    "",
    "ingest",
    "search",
    "show",
    "clean",
    "reindex",
    "entities",
    "stats",
    "rules",
    "rules suggest",
    "serve",
    "check",
    "duplicates",
    "similar",
    "export",
    "web",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_fits_80_columns(command: str) -> None:
    proc = run_cli(*command.split(), "--help", env={"COLUMNS": "80"})
    assert proc.returncode == 0 and proc.stdout.count("\n") > 3, proc.stderr
    wide = [line for line in proc.stdout.splitlines() if display_width(line) > 80]
    assert wide == [], wide


@pytest.mark.parametrize(
    "args",
    [
        ["search", "troops", "--passages"],
        ["search", "kurst"],
        ["search", "*", "--interval", "month"],
        ["show", SEED_004, "--explain"],
        ["similar", "seeds/000_f62cfa61a98d079d.txt"],
        ["stats"],
        ["check"],
        ["entities"],
        ["duplicates"],
        ["ingest", "seeds"],
    ],
)
def test_human_output_of_the_main_commands_fits_80_columns(user: dict, args: list[str]) -> None:
    proc = run_cli(*args, env={**user["env"], "COLUMNS": "80"}, cwd=user["home"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
    wide = [line for line in proc.stdout.splitlines() if display_width(line) > 80]
    assert wide == [], wide
