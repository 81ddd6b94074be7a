"""The architecture as tests: import contracts, one archive session per crawl, one processing path."""

from __future__ import annotations

import ast
import multiprocessing
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import NOW, TEST_DELAY

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    """Layers (pyproject.toml ``[tool.importlinter]``): no lower layer imports a higher one."""
    result = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def _tool(name: str) -> str:
    return shutil.which(name) or str(Path(sys.executable).parent / name)


def test_mypy_strict_is_clean_on_the_packages() -> None:
    """``mypy`` with the settings in pyproject.toml (strict on the packages, lenient on tests)."""
    result = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def test_ruff_is_clean() -> None:
    result = subprocess.run([_tool("ruff"), "check", "--output-format", "concise", "."], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def test_scheduler_stays_below_the_application() -> None:
    """``scheduler.py`` (a module, outside import-linter's reach) sits below ``app``: it never
    imports the application, the reading side or the simulator."""
    tree = ast.parse((ROOT / "scheduler.py").read_text("utf-8"))
    ours = {"core", "archive", "pipelines", "crawler", "app", "reading", "simulator"}
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            used |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            used.add(node.module.split(".")[0])
    assert not used & {"app", "reading", "simulator"}, used & ours


def _count_connections_child(archive: str, hostmap: dict[str, str], queue: Any) -> None:
    """Run two crawls in one process; count SQLite connections opened while Scrapy runs."""
    from scrapy.crawler import CrawlerProcess

    import app.crawl as runner
    from crawler.handlers.loopback import loopback_settings

    opened: list[str] = []
    real_connect = sqlite3.connect

    def counting_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        opened.append(str(args[0] if args else kwargs.get("database")))
        return real_connect(*args, **kwargs)

    real_start = CrawlerProcess.start
    during: list[int] = []

    def start(self: CrawlerProcess, *args: Any, **kwargs: Any) -> None:
        before = len(opened)
        real_start(self, *args, **kwargs)
        during.append(len(opened) - before)

    sqlite3.connect = counting_connect  # type: ignore[assignment]
    CrawlerProcess.start = start  # type: ignore[method-assign]
    settings = runner.project_settings({
        **loopback_settings(hostmap), "ARCHIVE_PATH": archive, "DOWNLOAD_DELAY": TEST_DELAY,
        "AUTOTHROTTLE_ENABLED": False, "GOVPRESS_NOW": NOW, "LOG_LEVEL": "WARNING",
    })
    runs = runner.run_crawls(["sd_dzwww", "sd_qingdao"], settings)
    queue.put({"during": during[0], "statuses": [r.status for r in runs], "new": sum(r.new for r in runs)})


def test_one_crawl_opens_one_archive_session(tmp_path: Path) -> None:
    from simulator import Simulator

    archive = tmp_path / "a.sqlite"
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    with Simulator() as sim:
        proc = ctx.Process(target=_count_connections_child, args=(str(archive), sim.hostmap(), queue))
        proc.start()
        result = queue.get(timeout=300)
        proc.join(timeout=30)
    assert result["statuses"] == ["ok", "ok"] and result["new"] > 10
    # Two crawls ran in that process: one connection each, for every read and write of the crawl.
    assert result["during"] == 2, result


# -- one processing path: a crawl and reprocess give identical rows ----------------------------
def _rows(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT * FROM documents ORDER BY id").fetchall()


def test_crawl_and_reprocess_give_identical_rows(tmp_path: Path) -> None:
    from app.cli import cli
    from simulator import Simulator
    from tests.conftest import crawl

    archive = tmp_path / "a.sqlite"
    with Simulator() as sim:
        sim.add_article("sd_jinan", "济南要闻", "济南市召开城市更新工作推进会议",
                        ["会议要求，各区县要加快推进城市更新项目建设，确保年底前完成年度目标任务。"],
                        "2099-01-01 10:00")
        runs = crawl(sim, archive, ["sd_jinan", "sd_dzwww"])
    assert {r["status"] for r in runs} == {"ok"}
    before = _rows(archive)
    assert any("date_out_of_range" in row_text for row_text in map(str, before))
    result = CliRunner().invoke(cli, ["reprocess", "--archive", str(archive)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"reprocessed: unchanged {len(before)}"
    assert _rows(archive) == before


def test_a_page_too_short_for_a_crawl_is_too_short_for_reprocess(tmp_path: Path) -> None:
    from archive.record import DocumentRecord
    from archive.session import ArchiveSession
    from pipelines.process import Options, process_page

    page = "<html><head><title>通知</title></head><body><div class='art_con'><p>详见附件。</p></div></body></html>"
    record = DocumentRecord(site="sd_jinan", url="http://www.jinan.gov.cn/art/1.html",
                            canonical_url="http://www.jinan.gov.cn/art/1.html", raw=page.encode())
    with ArchiveSession(tmp_path / "a.sqlite") as session:
        outcome = process_page(record, None, session, options=Options(min_chars=20))
        assert outcome.saved is None and outcome.dropped == "too_short"
        assert session.reader.count() == 0


@pytest.mark.parametrize("module", ["pipelines.cleaning", "pipelines.dedup", "pipelines.archiving",
                                    "crawler.extensions.runrecord", "crawler.extensions.monitors",
                                    "crawler.extensions.sitelock", "crawler.extensions.progress",
                                    "crawler.middlewares.backoff", "crawler.middlewares.incremental"])
def test_every_component_has_its_own_test_module(module: str) -> None:
    package, name = module.split(".", 1)
    assert (ROOT / "tests" / f"test_{package}_{name.replace('.', '_')}.py").is_file()
