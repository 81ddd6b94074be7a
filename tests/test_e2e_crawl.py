"""End to end: crawl the simulator into a temporary archive through the real spider and pipelines."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from archive import Archive
from core.siteconfig import load_sites
from simulator import Simulator
from tests.conftest import crawl

BOILERPLATE = re.compile(
    r"ICP备|公网安备|网站标识码|版权所有|技术支持|主办单位|责任编辑|初审编辑|打印本页|关闭窗口|分享到|当前位置|扫一扫"
)


def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture()
def first_crawl(crawled):
    return crawled


def test_every_site_ran_ok(first_crawl) -> None:
    sim, _, runs = first_crawl
    assert {r["site"] for r in runs} == set(load_sites()[0])
    for run in runs:
        assert run["status"] == "ok", run
        assert run["errors"] == 0, run
        assert run["new"] > 0, run


def test_politeness_one_request_at_a_time_per_site_robots_and_user_agent(first_crawl) -> None:
    sim, _, _ = first_crawl
    hosts = {r.host for r in sim.requests}
    assert {"www.shandong.gov.cn", "www.jinan.gov.cn", "www.qingdao.gov.cn", "sd.dzwww.com"} <= hosts
    for host in hosts:
        assert sim.requests.max_in_flight(host) == 1, host
        paths = [r.path for r in sim.requests if r.host == host]
        assert paths[0] == "/robots.txt", host
        assert not [p for p in paths if p.startswith("/module/")], host  # Disallowed in robots.txt
    agents = {r.headers.get("user-agent", "") for r in sim.requests}
    assert all(a.startswith("govpress/") and "+http" in a for a in agents), agents


def test_every_simulated_article_is_archived_clean(first_crawl) -> None:
    sim, archive, _ = first_crawl
    reader = Archive(archive)
    truths = sim.articles()
    assert len(truths) >= 40
    for truth in truths:
        doc = reader.get(truth.url)
        assert doc is not None, f"not archived: {truth.url}"
        assert doc.title == truth.title, truth.url
        assert doc.published and doc.published[:10] == truth.published[:10], truth.url
        body = norm(doc.body)
        assert norm(truth.paragraphs[0]) in body, f"first paragraph missing: {truth.url}"
        assert norm(truth.paragraphs[-1]) in body, f"last paragraph missing: {truth.url}"
        leaked = BOILERPLATE.search(doc.body)
        assert leaked is None or leaked.group(0) in "".join(truth.paragraphs), (truth.url, leaked)


def test_document_counts_match_the_simulator(first_crawl) -> None:
    sim, archive, runs = first_crawl
    total = sum(r["new"] + r["duplicate"] for r in runs)
    assert total == len(sim.articles())
    docs = list(Archive(archive).documents(include_duplicates=True))
    assert len(docs) == len(sim.articles())
    assert {d.site for d in docs} == set(load_sites()[0])


def test_republished_articles_share_a_cluster(first_crawl) -> None:
    sim, archive, _ = first_crawl
    reader = Archive(archive)
    copies = [a for a in sim.articles() if a.republished_from]
    assert copies
    for copy in copies:
        doc, original = reader.get(copy.url), reader.get(copy.republished_from)
        assert doc is not None and original is not None
        assert doc.cluster_id == original.cluster_id, copy.url


def test_second_crawl_adds_nothing_and_fetches_only_lists_or_304(tmp_path: Path) -> None:
    archive = tmp_path / "a.sqlite"
    with Simulator() as sim:
        crawl(sim, archive)
        sim.reset_requests()
        runs = crawl(sim, archive)
        assert sum(r["new"] + r["updated"] + r["duplicate"] for r in runs) == 0
        for req in sim.requests:
            if re.search(r"/art_|/t\d{8}_|/post_\d+\.html|/info/\d+/\d+\.htm|/doc_\w+\.html|/content\.html", req.path):
                assert req.status == 304, f"re-fetched without need: {req.host}{req.path}"


def test_an_edited_article_becomes_a_revision(tmp_path: Path) -> None:
    archive = tmp_path / "a.sqlite"
    with Simulator() as sim:
        crawl(sim, archive, ["sd_qingdao"])
        recent = max(sim.articles("sd_qingdao"), key=lambda a: a.published)
        new_paragraphs = recent.paragraphs + ["市政府新闻办随后发布了补充说明，对有关数据作了更正。"]
        sim.edit_article(recent.url, paragraphs=new_paragraphs)
        runs = crawl(sim, archive, ["sd_qingdao"])
    assert runs[0]["updated"] == 1
    reader = Archive(archive)
    doc = reader.get(recent.url)
    assert doc is not None and "补充说明" in doc.body and doc.revision_count == 1
    revisions = reader.revisions(recent.url)
    assert len(revisions) == 1 and "补充说明" not in revisions[0].body
