"""``newsdex web`` without a browser: the API returns the CLI's JSON byte for byte, only GET, security headers,
clear error pages, bounds, escaping, a server that never writes to the index and imports neither Prefect, spaCy
nor trafilatura. (tests/test_web_browser.py drives the pages in a real Chromium.)"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import SEEDS, enriched_folder, run_cli

HOSTILE_TITLE = "Kyiv <b>bold</b> <script>alert('title')</script> report"
HOSTILE_TEXT = f"""{HOSTILE_TITLE}

Advertisement

Vladimir Putin met officials in Moscow, <script>alert(1)</script> said the report from Ukraine.

A picture <img src=x onerror=alert(2)> was posted, and a link javascript:alert(3) went round.

The \x1b[31mred\x1b[0m text and \x1b]0;title\x07 escapes came from a terminal, said Volodymyr Zelensky.

Share this article
"""
HOSTILE_URL = "javascript:alert(document.domain)"
HOSTILE_SOURCE = "<img src=x onerror=alert(4)>"


def build_index(root: Path, inputs: Path, hostile: bool = False) -> Path:
    """An index of every input under ``inputs`` (cleaned, segmented, enriched and written as ingest does, without
    a Prefect server); with ``hostile``, one more document whose every text field tries to inject markup."""
    from newsdex.flows.batch import process_batch
    from newsdex.index.store import IndexStore
    from newsdex.tasks import load
    from newsdex.tasks.clean.rules import load_rules

    docs = enriched_folder(inputs) if any(inputs.iterdir()) else []
    if hostile:
        path = root.parent / "hostile.txt"
        path.write_text(HOSTILE_TEXT, encoding="utf-8")
        raw = load.load_path(str(path)).model_copy(update={"url": HOSTILE_URL, "source": HOSTILE_SOURCE})
        docs += process_batch([raw], load_rules()).docs
    store = IndexStore(root)
    with store.writing():
        store.write(docs)
    return root


@contextmanager
def serving(
    index: Path,
    *extra: str,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    options: tuple[str, ...] = (),
    started: list[subprocess.Popen] | None = None,
    ignoring: tuple[int, ...] = (),
) -> Iterator[str]:
    """``newsdex web`` (with ``options``) as a real subprocess on a free port (``--port 0``); yields its base URL
    once it said where it listens (the process is appended to ``started``), and ends it afterwards. It starts as
    from a terminal, every stop signal at its default (whatever this run ignores: a shell's background job
    ignores Ctrl-C), except those of ``ignoring`` (as ``nohup`` starts it)."""

    def as_started() -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN if sig in ignoring else signal.SIG_DFL)

    log = log or index.parent / f"web-{time.monotonic_ns()}.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, *extra, "-m", "newsdex.search_cli", "web", "--index", str(index), "--port", "0", *options],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={**os.environ, **(env or {})},
            preexec_fn=as_started,
        )
    if started is not None:
        started.append(proc)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = re.search(r"at (http://127\.0\.0\.1:\d+/)", log.read_text(errors="replace"))
            if found:
                yield found.group(1).rstrip("/")
                break
            if proc.poll() is not None:
                raise AssertionError(f"newsdex web exited {proc.returncode}: {log.read_text(errors='replace')}")
            time.sleep(0.05)
        else:
            raise AssertionError(f"newsdex web did not start: {log.read_text(errors='replace')}")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time, except SQLite's own companions of a WAL
    database (``-shm``, ``-wal``): every reader, each CLI read command too, maps the shared-memory index and
    SQLite creates both, empty, when a reader opens the database without them. Their sizes are kept apart."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(("-shm", "-wal"))
    }


def assert_unchanged(folder: Path, before: dict[str, tuple[int, int]], wal_before: int) -> None:
    """Nothing written, created or touched in ``folder`` since ``before``; its write-ahead log no longer."""
    assert snapshot(folder) == before
    wal = folder / "manifest.sqlite-wal"
    assert (wal.stat().st_size if wal.exists() else 0) == wal_before


def wal_size(folder: Path) -> int:
    wal = folder / "manifest.sqlite-wal"
    return wal.stat().st_size if wal.exists() else 0


@pytest.fixture(scope="module")
def web_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("web")
    inputs = work / "inputs"
    inputs.mkdir()
    (inputs / "000.txt").write_bytes((SEEDS / "000_f62cfa61a98d079d.txt").read_bytes())
    (inputs / "004.txt").write_bytes((SEEDS / "004_c660a855ca50e628.txt").read_bytes())
    return build_index(work / "index", inputs, hostile=True)


@pytest.fixture(scope="module")
def client(web_index: Path):
    import warnings

    with warnings.catch_warnings():  # Starlette's test client prefers httpx2: the requests are the same
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        from newsdex.search_cli.web.app import create_app

        yield TestClient(base_url="http://localhost", app=create_app(web_index))


def _ids(client) -> dict[str, str]:
    hits = client.get("/api/search", params={"q": "*", "limit": 10}).json()["hits"]
    return {("hostile" if h["source"] == HOSTILE_SOURCE else Path(h["path"]).stem): h["id"] for h in hits}


def test_the_api_returns_the_cli_json_byte_for_byte(client, web_index: Path) -> None:
    ids = _ids(client)
    index = str(web_index)
    pairs = [
        ("/api/search?q=troops&limit=3", ["search", "troops", "--limit", "3"]),
        (
            "/api/search?q=*&lang=en&entity=PERSON:Vladimir%20Putin&sort=newest",
            ["search", "--all", "--lang", "en", "--entity", "PERSON:Vladimir Putin", "--sort", "newest"],
        ),
        ("/api/search?q=kurst", ["search", "kurst"]),
        ("/api/search?q=troops&all_copies=1", ["search", "troops", "--all-copies"]),
        ("/api/search?q=*&limit=2&offset=3", ["search", "--all", "--limit", "2", "--offset", "3"]),
        (f"/api/show/{ids['000']}", ["show", ids["000"]]),
        (f"/api/show/{ids['000']}?explain=1", ["show", ids["000"], "--explain"]),
        (f"/api/similar/{ids['004']}?limit=2", ["similar", ids["004"], "--limit", "2"]),
        ("/api/entities?type=person&limit=5", ["entities", "--type", "PERSON", "--limit", "5"]),
        ("/api/entities", ["entities"]),
        ("/api/entities?lang=en&limit=3", ["entities", "--lang", "en", "--limit", "3"]),
        ("/api/entities?lang=de", ["entities", "--lang", "de"]),
        (f"/api/similar/{ids['004']}?lang=en,de", ["similar", ids["004"], "--lang", "en,de"]),
        ("/api/stats", ["stats"]),
    ]
    for url, argv in pairs:
        response = client.get(url)
        proc = run_cli(*argv, "--index", index, "--json")
        assert proc.returncode == 0, proc.stderr
        assert response.status_code == 200, (url, response.text)
        assert response.headers["content-type"].startswith("application/json")
        assert response.text == proc.stdout, url


def test_only_get_and_head_and_security_headers_everywhere(client) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        for url in ("/", "/api/search?q=x", "/static/style.css", "/nowhere"):
            response = client.request(method, url)
            assert response.status_code == 405, (method, url)
            assert response.headers["allow"] == "GET, HEAD"
    for url in ("/", "/search?q=troops", "/api/stats", "/static/app.js", "/nowhere", "/search?q=NOT%20NOT%20x"):
        headers = client.get(url).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp, url
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
    assert client.head("/").status_code == 200


def test_pages_have_no_inline_script_or_style(client) -> None:
    ids = _ids(client)
    for url in ("/", "/search?q=troops", f"/doc/{ids['000']}", "/entity/PERSON/Vladimir%20Putin"):
        page = client.get(url).text
        assert re.findall(r"<script\b[^>]*>", page) == ['<script src="/static/app.js" defer>'], url
        assert " style=" not in page and "<style" not in page and " on" + "click=" not in page, url


def test_bad_requests_are_400_pages_with_the_message(client) -> None:
    cases = {
        "/search?q=NOT%20NOT%20x": "cannot parse the query",
        "/search?q=" + "a" * 1001: "at most 1,000",
        "/search?q=x&page=11": "page must be between 1 and 10",
        "/search?q=x&page=zero": "page must be a whole number",
        "/search?q=x&since=2025-13": "not a date",
        "/search?q=x&entity=nocolon": "TYPE:NAME",
        "/search?q=x&entity=BOGUS:x": "unknown entity type",
        "/search?q=x&sort=random": "sort must be one of",
        "/search?q=x&lang=d3": "language codes",
        "/api/search?q=x&limit=101": "limit must be between 1 and 100",
        "/api/search?q=x&limit=0": "limit must be between 1 and 100",
        "/api/search?q=x&all_copies=yes": "all_copies must be a whole number",
        "/api/search?q=x&offset=-1": "offset must be between 0 and 10000",
        "/api/search?q=": "empty query",
        "/api/entities?type=THING": "unknown entity type",
        "/api/entities?lang=d;e": "--lang takes language codes",
    }
    for url, message in cases.items():
        response = client.get(url)
        assert response.status_code == 400, url
        assert message in (response.json()["error"] if url.startswith("/api/") else response.text), url
        assert "Traceback" not in response.text
    assert client.get("/doc/ffffffffffffffff").status_code == 404
    assert client.get("/api/show/ffffffffffffffff").json() == {
        "error": "no document 'ffffffffffffffff' in the index",
        "status": 404,
    }
    assert client.get("/entity/THING/x").status_code == 404
    assert client.get("/nowhere").status_code == 404


def test_a_missing_or_damaged_index_is_a_clear_page(tmp_path: Path, web_index: Path) -> None:
    import shutil

    from starlette.testclient import TestClient

    from newsdex.search_cli.web.app import create_app

    missing = TestClient(base_url="http://localhost", app=create_app(tmp_path / "no-index"))
    for url in ("/", "/search?q=troops", "/doc/abc", "/entity/PERSON/x", "/api/stats", "/api/search?q=x"):
        response = missing.get(url)
        assert response.status_code == 503, url
        assert "no index at" in response.text and "Traceback" not in response.text, url
    damaged_root = tmp_path / "damaged"
    shutil.copytree(web_index, damaged_root, symlinks=True)
    (damaged_root / "manifest.sqlite").unlink()
    damaged = TestClient(base_url="http://localhost", app=create_app(damaged_root))
    for url in ("/", "/api/stats", "/doc/abc"):
        response = damaged.get(url)
        assert response.status_code == 503, url
        assert "manifest.sqlite is missing" in response.text, url
        assert "check --repair" in response.text or url.startswith("/api/"), url


def test_hostile_text_is_escaped_and_urls_are_links_only_when_http(client) -> None:
    hostile = _ids(client)["hostile"]
    pages = [
        client.get(url).text
        for url in (
            "/search?q=report",
            f"/doc/{hostile}",
            f"/doc/{hostile}?removed=1",
            "/entity/PERSON/Vladimir%20Putin",
            "/entity/PERSON/%3Cscript%3Ealert(5)%3C%2Fscript%3E",
            "/search?q=%3Cimg%20src%3Dx%20onerror%3Dalert(6)%3E",
        )
    ]
    for page in pages:
        assert "<script>alert" not in page and "<img" not in page and "<b>bold" not in page
        assert 'href="javascript:' not in page.lower() and "\x1b" not in page and "\x07" not in page
    doc = pages[1]
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in doc and "&lt;b&gt;bold&lt;/b&gt;" in doc
    assert f'<span class="original">{HOSTILE_URL}</span>' in doc  # shown, never a link
    assert "&lt;img src=x onerror=alert(4)&gt;" in doc
    assert "&lt;script&gt;alert(5)&lt;/script&gt;" in pages[4]


def test_marks_keep_only_our_highlights() -> None:
    from newsdex.search_cli.web.render import marks, web_url

    assert str(marks("a <b>kursk</b> &lt;b&gt;x&lt;/b&gt; <b>open")) == (
        "a <mark>kursk</mark> &lt;b&gt;x&lt;/b&gt; <mark>open</mark>"
    )
    assert str(marks("<i>x</i> </b> <script>y</script>")) == "&lt;i&gt;x&lt;/i&gt;  &lt;script&gt;y&lt;/script&gt;"
    assert str(marks("\x1b[31mred")) == "\ufffd[31mred"
    assert web_url("https://example.com/a?b=1") == "https://example.com/a?b=1"
    for bad in (
        "javascript:alert(1)",
        " JAVASCRIPT:x",
        "data:text/html,x",
        "//evil.example",
        "http://a b",
        "http://",
        "vbscript:x",
        "https://x\x00y",
    ):
        assert web_url(bad) is None, bad


def test_paging_is_bounded_and_the_url_holds_the_state(client) -> None:
    from newsdex.search_cli.web.data import SearchState

    page = client.get("/search", params={"q": "*", "sort": "newest", "lang": "en"}).text
    assert 'name="sort" value="newest"' in page and 'name="lang" value="en"' in page
    state = SearchState(q="troops", entity=["PERSON:Kim Jong Un"], since="2025-01", page=3)
    assert state.url() == "/search?q=troops&entity=PERSON%3AKim+Jong+Un&since=2025-01"
    assert state.url(page=2) == "/search?q=troops&entity=PERSON%3AKim+Jong+Un&since=2025-01&page=2"
    assert state.url(all_copies=True, page=2).endswith("&since=2025-01&all_copies=1&page=2")


def test_every_copy_of_a_story_on_request(tmp_path: Path) -> None:
    """One hit per story with "+1 copy" by default; ``all_copies=1`` (the checkbox, the API) lists the copy too."""
    from starlette.testclient import TestClient

    from newsdex.search_cli.web.app import create_app

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    seed = sorted(SEEDS.glob("*.txt"))[0]
    (inputs / "original.txt").write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    (inputs / "republished.txt").write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    client = TestClient(base_url="http://localhost", app=create_app(build_index(tmp_path / "index", inputs)))
    one = client.get("/api/search", params={"q": "*"}).json()
    every = client.get("/api/search", params={"q": "*", "all_copies": "1"}).json()
    assert [h["copies"] for h in one["hits"]] == [1]
    assert len(every["hits"]) == 2
    assert client.get("/api/search", params={"q": "*", "offset": "1"}).json()["hits"] == []  # one story only
    assert len(client.get("/api/search", params={"q": "*", "offset": "1", "all_copies": "1"}).json()["hits"]) == 1
    page = client.get("/search", params={"q": "*", "all_copies": "1"}).text
    assert page.count('class="hit"') == 2 and 'name="all_copies" value="1" checked' in page
    assert "every copy" in page  # the active-filter chip, whose × goes back to one hit per story
    assert client.get("/search", params={"q": "*"}).text.count('class="hit"') == 1


def test_the_server_starts_fast_reads_only_and_imports_no_prefect_spacy_or_trafilatura(web_index: Path) -> None:
    import urllib.request

    before, wal = snapshot(web_index), wal_size(web_index)
    log = web_index.parent / "importtime.log"
    started = time.monotonic()
    with serving(web_index, "-X", "importtime", log=log) as base:
        startup = time.monotonic() - started
        hostile = None
        for url in (
            "/",
            "/search?q=troops&page=1",
            "/api/search?q=*&limit=5",
            "/entity/PERSON/Vladimir%20Putin",
            "/api/stats",
            "/static/style.css",
        ):
            with urllib.request.urlopen(base + url, timeout=30) as response:
                assert response.status == 200, url
                body = response.read()
                if url.startswith("/api/search"):
                    import json

                    hostile = next(h["id"] for h in json.loads(body)["hits"] if h["source"] == HOSTILE_SOURCE)
        for url in (f"/doc/{hostile}", f"/api/show/{hostile}", f"/api/similar/{hostile}"):
            with urllib.request.urlopen(base + url, timeout=30) as response:
                assert response.status == 200, url
    heavy = [line for line in log.read_text().splitlines() if re.search(r"\b(prefect|spacy|trafilatura)\b", line)]
    assert not heavy, heavy[:5]
    assert startup < 10, f"newsdex web took {startup:.1f} s to listen"  # about 1 s on an idle machine
    assert_unchanged(web_index, before, wal)  # nothing written, created or touched in the index folder


def test_web_takes_no_json_and_binds_to_localhost_by_default() -> None:
    proc = run_cli("web", "--json")
    assert proc.returncode == 1 and "--json does not apply to web" in proc.stderr
    help_text = run_cli("web", "--help").stdout
    assert "default 127.0.0.1" in help_text


def test_several_worker_processes_share_the_port_and_end_with_the_server(web_index: Path) -> None:
    """``--workers 2``: two processes answer on one port, each the same bytes as the CLI; SIGTERM to the server
    ends them all; the index is untouched."""
    import json
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    import psutil

    before, wal = snapshot(web_index), wal_size(web_index)
    started: list[subprocess.Popen] = []
    with serving(web_index, options=("--workers", "2"), started=started) as base:
        url = base + "/api/search?q=troops&limit=5"
        with ThreadPoolExecutor(8) as pool:  # concurrent requests while the workers start: queued, none refused
            bodies = list(pool.map(lambda _: urllib.request.urlopen(url, timeout=60).read(), range(16)))
        server = psutil.Process(started[0].pid)
        workers = [p for p in server.children(recursive=True) if "multiprocessing.spawn" in " ".join(p.cmdline())]
        assert len(workers) == 2
    assert started[0].returncode == -signal.SIGTERM  # ended by the signal, as the one-process server is
    cli = run_cli("search", "troops", "--limit", "5", "--json", "--index", str(web_index))
    assert set(bodies) == {cli.stdout.encode()}
    assert json.loads(bodies[0])["total"] > 0
    assert psutil.wait_procs(workers, timeout=20)[1] == []  # every worker ended with the server
    assert_unchanged(web_index, before, wal)


@pytest.mark.parametrize(
    ("sig", "code", "last"),
    [
        (signal.SIGINT, 130, "newsdex: interrupted"),  # Ctrl-C: the contract's exit 130 and its one line
        (signal.SIGHUP, -signal.SIGHUP, None),  # the terminal closed: the server ends (uvicorn would restart it)
    ],
)
def test_worker_processes_stop_on_ctrl_c_and_hang_up_as_one_process_does(
    web_index: Path, tmp_path: Path, sig: int, code: int, last: str | None
) -> None:
    import urllib.request

    import psutil

    started: list[subprocess.Popen] = []
    log = tmp_path / "web.log"
    with serving(web_index, options=("--workers", "2"), started=started, log=log) as base:
        server = psutil.Process(started[0].pid)
        deadline = time.monotonic() + 60
        while True:  # a worker answers: the server is up, not still starting its workers (another case)
            try:
                with urllib.request.urlopen(base + "/api/stats", timeout=10) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline, "no worker answered"
                time.sleep(0.1)
        while (
            len(
                workers := [
                    p for p in server.children(recursive=True) if "multiprocessing.spawn" in " ".join(p.cmdline())
                ]
            )
            < 2
        ):
            assert time.monotonic() < deadline, "the worker processes did not start"
            time.sleep(0.05)
        started[0].send_signal(sig)
        assert started[0].wait(30) == code, log.read_text()
    if last is not None:
        assert log.read_text().strip().splitlines()[-1] == last
    assert psutil.wait_procs(workers, timeout=20)[1] == []


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_server_started_ignoring_hang_up_and_ctrl_c_outlives_them(web_index: Path, workers: str) -> None:
    """`nohup newsdex web &` from a script: the hang-up and the Ctrl-C it was started ignoring leave it serving
    (uvicorn would catch them: it stopped on them, or restarted its workers, and exited 0); SIGTERM ends it."""
    import urllib.request

    started: list[subprocess.Popen] = []
    ignoring = (signal.SIGHUP, signal.SIGINT)
    with serving(web_index, options=("--workers", workers), started=started, ignoring=ignoring) as base:

        def answers() -> bool:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(base + "/api/stats", timeout=10) as answer:
                        return answer.status == 200
                except OSError:
                    time.sleep(0.1)
            return False

        assert answers()
        for sig in ignoring:
            started[0].send_signal(sig)
        time.sleep(1.5)  # the supervisor looks at its signals every half second
        assert started[0].poll() is None and answers()
        started[0].terminate()
        assert started[0].wait(30) == -signal.SIGTERM


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_taken_port_is_a_one_line_error(workers: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        proc = run_cli("web", "--port", str(port), "--workers", workers)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"newsdex web: could not listen on 127.0.0.1:{port}: Address already in use"
    ]


def test_workers_out_of_range_is_a_usage_error() -> None:
    for bad in ("0", "65"):
        proc = run_cli("web", "--workers", bad, "--port", "0")
        assert proc.returncode == 1 and "--workers must be between 1 and 64" in proc.stderr, proc.stderr


def test_only_the_hosts_it_serves_are_answered(tmp_path):
    """Issue 27: a page elsewhere whose name resolves to 127.0.0.1 (DNS rebinding) reads nothing: any Host but
    the loopback names, the --host given and --allowed-host is 400, as Django's ALLOWED_HOSTS."""
    from starlette.testclient import TestClient

    from newsdex.search_cli.cmd_web import served_hosts
    from newsdex.search_cli.web.app import create_app

    app = create_app(tmp_path / "no-index", allowed_hosts=served_hosts("127.0.0.1", ["news.example.org"]))
    for host, code in (
        ("evil.example", 400),
        ("127.0.0.1:8765", 503),
        ("localhost", 503),
        ("[::1]:8765", 503),
        ("news.example.org", 503),
        ("news.example.org.evil.example", 400),
    ):
        response = TestClient(app, base_url=f"http://{host}").get("/api/stats")
        assert response.status_code == code, host
    assert "8.8.8.8" not in served_hosts("0.0.0.0", []) and "*" in served_hosts("::1", ["*"])


def test_an_address_that_is_none_is_one_line():
    for host in ("999.1.1.1", "8.8.8.8"):
        proc = run_cli("web", "--host", host, "--port", "0")
        assert proc.returncode == 1 and len(proc.stderr.splitlines()) == 1, proc.stderr
        assert host in proc.stderr
