"""``newsdex web`` in a real headless Chromium (Debian's ``chromium`` and ``chromium-driver``, driven by
Selenium): search, a facet, a histogram bar, an article and its removed lines, an entity page, the back button;
hostile documents render as text. Screenshots are written under the test's tmp folder; with
``NEWSDEX_WEB_SCREENSHOTS=docs/screenshots`` the three pages' are copied there too (for the README)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.conftest import enriched_folder, seeds_and_generated
from tests.test_web import HOSTILE_SOURCE, HOSTILE_URL, assert_unchanged, build_index, serving, snapshot, wal_size

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Debian's chromium and chromium-driver (apt-get install -y "
    "chromium chromium-driver; .ci/run installs them)",
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds and 40 generated articles (dates, sources, copies), and one hostile document."""
    from newsdex.index.store import IndexStore

    work = tmp_path_factory.mktemp("web-browser")
    seeds_and_generated(work / "inputs", 40, seed=7)
    index = work / "index"
    store = IndexStore(index)
    with contextlib.chdir(work), store.writing():  # input paths relative, as a user gives them (screenshots)
        store.write(enriched_folder(Path("inputs")))
    empty = work / "hostile" / "inputs"
    empty.mkdir(parents=True)
    build_index(work / "hostile" / "index", empty, hostile=True)  # only the hostile document
    return work


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    pytest.importorskip("selenium", reason="needs selenium (pip install selenium)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
        "--disable-extensions",
        "--no-first-run",
        "--lang=en",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver, condition, timeout: float = 20):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def _shoot(driver, name: str, out: Path) -> None:
    """A screenshot of the whole page (as tall as its content) into ``out``; copied to
    $NEWSDEX_WEB_SCREENSHOTS when set."""
    height = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 2400)")
    driver.set_window_size(1280, max(800, height))
    path = out / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 1000)
    target = os.environ.get("NEWSDEX_WEB_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(target) / path.name)


def _no_alert(driver) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 - reading it is what raises when there is no alert


def _csp_violations(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]


def test_search_facet_histogram_article_removed_lines_entity_and_back(archive: Path, browser, tmp_path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = browser
    index = archive / "index"
    before, wal = snapshot(index), wal_size(index)
    with serving(index) as base:
        driver.get(base + "/")
        assert driver.find_element(By.CSS_SELECTOR, "main h1").text == "The archive"
        box = driver.find_element(By.ID, "q")
        box.send_keys("troops", Keys.ENTER)
        _wait(driver, lambda d: "/search?q=troops" in d.current_url)
        hits = driver.find_elements(By.CSS_SELECTOR, "li.hit")
        assert hits and "troops" in driver.find_element(By.CSS_SELECTOR, "h1.results-head").text
        assert driver.find_elements(By.CSS_SELECTOR, "li.hit mark")  # highlighted passages
        assert driver.find_elements(By.CSS_SELECTOR, "figure.histogram svg a.bar")
        _shoot(driver, "search", tmp_path)
        search_url = driver.current_url

        # A facet adds its filter; the URL holds it.
        facet = driver.find_element(By.CSS_SELECTOR, "ul.facet[data-type=LOC] a")
        place = facet.text
        facet.click()
        _wait(driver, lambda d: "entity=" in d.current_url)
        assert parse_qs(urlsplit(driver.current_url).query)["entity"] == [f"LOC:{place}"]
        assert place in driver.find_element(By.CSS_SELECTOR, ".active-filters").text
        faceted_url = driver.current_url

        # A bar of the date histogram narrows to its period.
        bar = driver.find_element(By.CSS_SELECTOR, "svg a.bar rect.full")
        period = bar.find_element(By.XPATH, "..").get_attribute("data-period")
        driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", bar)
        _wait(driver, lambda d: "since=" in d.current_url)
        query = parse_qs(urlsplit(driver.current_url).query)
        assert query["since"] == [period] and query["until"] == [period] and query["entity"] == [f"LOC:{place}"]
        dated = driver.find_elements(By.CSS_SELECTOR, "li.hit time")
        assert dated and all(t.get_attribute("datetime").startswith(period) for t in dated)

        # The back button returns to the faceted search, then to the first one.
        driver.back()
        _wait(driver, lambda d: d.current_url == faceted_url)
        driver.back()
        _wait(driver, lambda d: d.current_url == search_url)

        # An article, with the lines the cleaner removed, in place, on demand.
        first = driver.find_element(By.CSS_SELECTOR, "li.hit h3 a")
        title = first.text
        first.click()
        _wait(driver, lambda d: "/doc/" in d.current_url)
        assert driver.find_element(By.CSS_SELECTOR, "article.doc h1").text == title
        trace = driver.find_element(By.ID, "article-trace")
        assert not trace.is_displayed() and driver.find_element(By.ID, "article-clean").is_displayed()
        _shoot(driver, "article", tmp_path)
        toggle = driver.find_element(By.ID, "toggle-removed")
        toggle.click()
        _wait(driver, lambda d: d.find_element(By.ID, "article-trace").is_displayed())
        assert "removed=1" in driver.current_url
        assert not driver.find_element(By.ID, "article-clean").is_displayed()
        removed = driver.find_elements(By.CSS_SELECTOR, "#article-trace li.removed")
        assert removed and all(r.find_element(By.CSS_SELECTOR, ".rule").text for r in removed)
        assert driver.find_elements(By.CSS_SELECTOR, "#article-trace li.kept")
        _shoot(driver, "article-removed", tmp_path)
        toggle.click()
        _wait(driver, lambda d: d.find_element(By.ID, "article-clean").is_displayed())
        assert "removed=1" not in driver.current_url
        article_url = driver.current_url

        # An entity link opens its page: mentions over time, articles, names seen with it.
        link = driver.find_element(By.CSS_SELECTOR, ".entity-list a")
        name = link.text
        link.click()
        _wait(driver, lambda d: "/entity/" in d.current_url)
        assert name in driver.find_element(By.CSS_SELECTOR, "h1.entity-head").text
        assert driver.find_elements(By.CSS_SELECTOR, "li.hit")
        assert driver.find_elements(By.CSS_SELECTOR, "ul.related a")
        _shoot(driver, "entity", tmp_path)
        driver.back()
        _wait(driver, lambda d: d.current_url == article_url)
        assert driver.find_element(By.CSS_SELECTOR, "article.doc h1").text == title
        assert _csp_violations(driver) == []
    assert_unchanged(index, before, wal)  # the server wrote nothing to the index folder
    assert {p.name for p in tmp_path.glob("*.png")} == {
        "search.png",
        "article.png",
        "article-removed.png",
        "entity.png",
    }


def test_hostile_pages_render_as_text(archive: Path, browser) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    with serving(archive / "hostile" / "index") as base:
        driver.get(base + "/api/search?q=report")
        hits = json.loads(driver.find_element(By.TAG_NAME, "body").text)["hits"]
        doc_id = next(h["id"] for h in hits if h["source"] == HOSTILE_SOURCE)
        pages = [
            "/search?q=report",
            f"/doc/{doc_id}",
            f"/doc/{doc_id}?removed=1",
            "/entity/PERSON/Vladimir%20Putin",
            "/entity/PERSON/" + quote("<script>alert(7)</script>", safe=""),
            "/search?q=" + quote("<img src=x onerror=alert(8)>", safe=""),
            "/",
        ]
        for page in pages:
            driver.get(base + page)
            _no_alert(driver)
            scripts = driver.find_elements(By.TAG_NAME, "script")
            assert [s.get_attribute("src") for s in scripts] == [base + "/static/app.js"], page
            assert driver.find_elements(By.TAG_NAME, "img") == [], page
            assert driver.find_elements(By.CSS_SELECTOR, "[onerror], [onload], iframe, object, embed") == [], page
            assert [
                a
                for a in driver.find_elements(By.TAG_NAME, "a")
                if (a.get_attribute("href") or "").lower().startswith("javascript:")
            ] == [], page
        driver.get(base + f"/doc/{doc_id}")
        text = driver.find_element(By.TAG_NAME, "main").text
        assert "<script>alert('title')</script>" in driver.find_element(By.CSS_SELECTOR, "article.doc h1").text
        assert "<img src=x onerror=alert(2)>" in text and "javascript:alert(3)" in text
        assert driver.find_element(By.CSS_SELECTOR, "span.original").text == HOSTILE_URL
        assert driver.find_elements(By.CSS_SELECTOR, "a.original") == []
        driver.find_element(By.ID, "toggle-removed").click()
        _wait(driver, lambda d: d.find_element(By.ID, "article-trace").is_displayed())
        _no_alert(driver)
        assert driver.find_elements(By.TAG_NAME, "img") == []
        assert _csp_violations(driver) == []
