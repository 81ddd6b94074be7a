"""The reading pages in a real browser: headless Chromium (Debian's) driven by Playwright.

Every request the pages make goes through a route handler: loopback requests
go on to ``govpress serve``, anything else is recorded and aborted, so no test
ever sends traffic off the machine, and the tests assert that nothing was even
attempted.  Screenshots go to ``$GOVPRESS_SCREENSHOTS`` when set (the ones in
docs/img/ were made with ``GOVPRESS_SCREENSHOTS=docs/img``), else to a
temporary folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from archive import Archive
from reading.original import FRAME_HEADERS
from tests.conftest import HOSTILE_PAGE, OUTSIDE
from tests.test_reading_serve import ROOT, free_port, serve_cmd, stop_and_check

pytest.importorskip("datasette")
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

CHROMIUM = os.environ.get("GOVPRESS_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}

if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = os.environ.get("GOVPRESS_SCREENSHOTS")
    path = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def server(reading_archive: Any) -> Iterator[str]:
    archive, _ = reading_archive
    port = free_port()
    proc = subprocess.Popen(serve_cmd(archive, port), cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "serving the archive at " in line, line
        yield line.split("serving the archive at ", 1)[1].split()[0].rstrip("/")
        if Path("/proc/self/task").exists():
            stop_and_check(proc, port, signal.SIGTERM)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        try:
            b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        except Exception as exc:
            pytest.skip(f"Chromium at {CHROMIUM} does not start: {str(exc).splitlines()[0]}")
        yield b
        b.close()


class Watch:
    """A browser context whose every off-machine request is recorded and aborted, never sent."""

    def __init__(self, browser: Any) -> None:
        self.outside: list[str] = []
        self.console: list[str] = []
        self.context = browser.new_context(viewport={"width": 1200, "height": 820}, locale="zh-CN")
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.console.append(m.text))

    def _route(self, route: Any) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if url.startswith(("data:", "about:")) or host in LOOPBACK:
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()


@pytest.fixture()
def watch(browser: Any) -> Iterator[Watch]:
    w = Watch(browser)
    yield w
    w.context.close()


def test_document_page_shows_headline_text_and_original(watch: Watch, server: str, reading_archive: Any,
                                                        shots: Path) -> None:
    archive, _ = reading_archive
    with Archive(archive) as a:
        doc = next(d for d in a.documents(site="sd_qingdao") if d.body.count("\n") >= 1 and a.raw_page(d.id))
    page = watch.page
    page.goto(f"{server}/doc/{doc.id}")
    sync_api.expect(page.locator("h1.gp-headline")).to_have_text(doc.title)
    first = doc.body.split("\n")[0].strip()
    sync_api.expect(page.locator(".gp-text p").first).to_have_text(first)
    assert page.locator(".gp-text p").first.is_visible()
    frame = page.frame_locator("iframe.gp-frame")
    sync_api.expect(frame.locator("body")).to_contain_text(doc.title[:8])
    box = page.locator("iframe.gp-frame").bounding_box()
    assert box and box["width"] > 300 and box["height"] > 300
    page.screenshot(path=str(shots / "reading-document.png"))
    assert watch.outside == []


def test_hostile_original_runs_no_script_and_requests_nothing_outside(watch: Watch, server: str,
                                                                      reading_archive: Any) -> None:
    _, cases = reading_archive
    page = watch.page
    messages: list[Any] = []
    page.expose_function("govpressSawMessage", lambda data: messages.append(data))
    page.add_init_script("window.addEventListener('message', e => window.govpressSawMessage(String(e.data)))")
    page.goto(f"{server}/doc/{cases['hostile_id']}")
    frame = page.frame_locator("iframe.gp-frame")
    sync_api.expect(frame.locator("#headline")).to_have_text("青岛发布海洋经济测试公告")
    sync_api.expect(frame.locator("#outside-img")).to_have_attribute("alt", "外部图片")
    page.wait_for_load_state("networkidle")
    body = frame.locator("body")
    assert body.get_attribute("data-script") is None and body.get_attribute("data-onload") is None
    assert messages == []
    framed = next(f for f in page.frames if f.url.endswith(f"/doc/{cases['hostile_id']}/original"))
    assert framed.title() != "script ran"
    assert watch.outside == [], watch.outside


def test_csp_alone_blocks_scripts_and_outside_loads(watch: Watch, server: str) -> None:
    """The frame's headers on the raw hostile page, without the rewrite: Chromium still loads nothing."""
    page = watch.page
    probe = f"{server}/__csp-probe"

    def fulfill(route: Any) -> None:
        headers = dict(FRAME_HEADERS) if route.request.url.endswith("strict") else {}
        route.fulfill(status=200, body=HOSTILE_PAGE.replace('charset="gbk"', 'charset="utf-8"'),
                      headers={**headers, "Content-Type": "text/html; charset=utf-8"})

    watch.context.route(f"{probe}*", fulfill)
    # Without the policy, the same page tries to reach the outside (aborted by the route, never sent):
    # this is what the assertions below would catch.
    page.goto(probe + "?open")
    page.wait_for_load_state("networkidle")
    assert any(OUTSIDE in u for u in watch.outside)
    assert page.locator("body").get_attribute("data-script") == "ran"
    watch.outside.clear()
    watch.console.clear()
    page.goto(probe + "?strict")
    page.wait_for_load_state("networkidle")
    sync_api.expect(page.locator("#headline")).to_have_text("青岛发布海洋经济测试公告")
    assert page.locator("body").get_attribute("data-script") is None
    assert page.title() != "script ran"
    assert watch.outside == [], watch.outside
    assert any("Content Security Policy" in m or "sandboxed" in m for m in watch.console), watch.console


def test_search_highlights_and_links_to_the_document(watch: Watch, server: str, shots: Path) -> None:
    page = watch.page
    page.goto(f"{server}/search?q={quote('营商')}")
    first = page.locator("li.gp-hit").first
    sync_api.expect(first.locator(".snippet mark").first).to_have_text("营商")
    bg = first.locator(".snippet mark").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert bg not in ("rgba(0, 0, 0, 0)", "transparent")
    page.screenshot(path=str(shots / "reading-search.png"))
    title = first.locator("a.title").inner_text()
    first.locator("a.title").click()
    page.wait_for_url(f"{server}/doc/*")
    sync_api.expect(page.locator("h1.gp-headline")).to_have_text(title)
    page.goto(f"{server}/search?q=" + quote('"营商'))
    sync_api.expect(page.locator(".gp-error")).to_contain_text("unbalanced quote")
    page.goto(f"{server}/search")
    sync_api.expect(page.locator("h2")).to_have_text("Latest documents")
    assert page.locator("li.gp-hit").count() > 10
    assert watch.outside == []


def test_coverage_chart_and_failing_runs(watch: Watch, server: str, shots: Path) -> None:
    page = watch.page
    page.goto(f"{server}/coverage")
    chart = page.locator("svg.coverage-chart")
    sync_api.expect(chart).to_be_visible()
    assert chart.locator("rect.bar:not(.empty)").count() > 10
    blocked = page.locator('tr[data-site="sd_province"]')
    sync_api.expect(blocked).to_have_class("failing")
    sync_api.expect(blocked.locator("td.status")).to_contain_text("blocked")
    red = blocked.locator("td").first.evaluate("e => getComputedStyle(e).backgroundColor")
    ok = page.locator('tr[data-site="sd_qingdao"] td').first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert red != ok
    sync_api.expect(page.locator(".failed-check")).to_contain_text("no article links on any list page")
    page.screenshot(path=str(shots / "reading-coverage.png"), full_page=True)
    assert watch.outside == []


def test_documents_table_reads(watch: Watch, server: str, reading_archive: Any, shots: Path) -> None:
    archive, _ = reading_archive
    page = watch.page
    page.goto(f"{server}/{archive.stem}/documents")
    heads = page.locator("table.rows-and-columns th").all_inner_texts()
    assert [h.split()[0].strip() for h in heads[:4]] == ["id", "title", "published", "site"]
    row = page.locator("table.rows-and-columns tbody tr").first
    cell = row.locator("td.col-title").bounding_box()
    assert cell and cell["width"] > 200 and cell["height"] < 130, f"headline squeezed into {cell}"
    page.locator("table.rows-and-columns").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "reading-table.png"))
    page.goto(f"{server}/{archive.stem}/documents?_search={quote('城中村')}")
    page.wait_for_url(f"{server}/search?q=*")
    sync_api.expect(page.locator(".snippet mark").first).to_have_text("城中村")
    assert watch.outside == []


def test_chinese_characters_render_as_glyphs_not_boxes(watch: Watch) -> None:
    """Without a CJK font (fonts-noto-cjk) every Chinese character is the same empty box."""
    pixels = watch.page.evaluate("""() => {
        const draw = ch => {
            const c = document.createElement("canvas"); c.width = 40; c.height = 40;
            const g = c.getContext("2d"); g.font = "32px sans-serif"; g.fillText(ch, 2, 34);
            return Array.from(g.getImageData(0, 0, 40, 40).data).join(",");
        };
        return [draw("营"), draw("商"), draw("")];
    }""")
    ying, shang, blank = pixels
    assert ying != blank and shang != blank
    assert ying != shang, "营 and 商 render identically: no CJK font installed (apt-get install fonts-noto-cjk)"
