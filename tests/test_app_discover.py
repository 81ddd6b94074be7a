"""``govpress discover`` / ``new-site`` on the simulated portals of each platform, and ``check --page``."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.discover import discover, simulator_fetcher, write_site
from core.siteconfig import SiteDefinition, load_sites, parse_site
from simulator import Simulator

FIXTURES = Path(__file__).parent / "fixtures" / "sites"
ONE_PER_PLATFORM = ["sd_province", "sd_yantai", "sd_heze", "hb_province", "sd_qingdao", "gd_province",
                    "sd_linyi", "sd_liaocheng", "sd_dezhou", "sd_zibo"]


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as s:
        yield s


@pytest.fixture(scope="module")
def sites() -> dict[str, SiteDefinition]:
    return load_sites()[0]


def home(site: SiteDefinition) -> str:
    return site.lists[0].url.split("/", 3)[0] + "//" + site.allowed_domains[0] + "/"


@pytest.mark.parametrize("slug", ONE_PER_PLATFORM)
def test_discover_recognises_the_platform_and_the_columns(sim: Simulator, sites: dict, slug: str) -> None:
    site = sites[slug]
    disc = discover(home(site), simulator_fetcher(sim))
    assert disc.dialect == site.dialect, disc.scores
    by_url = {c.url: c for c in disc.candidates}
    for lst in site.lists:
        if lst.mechanism == "gkmlpt_api":
            continue  # reached from the gkmlpt index, not from a homepage link
        cand = by_url.get(lst.url)
        assert cand is not None, (lst.url, list(by_url))
        assert cand.mechanism == lst.mechanism and cand.role == lst.role
        truth = [a.url for a in sim.column(slug, lst.column)]
        assert cand.samples and all(s in truth for s in cand.samples)


def test_new_site_writes_a_loadable_site_and_fixtures(sim: Simulator, sites: dict, tmp_path: Path) -> None:
    disc = discover("https://www.yantai.gov.cn/", simulator_fetcher(sim))
    written = write_site("sd_yantaitest", disc, tmp_path / "sites", tmp_path / "fx", demo=True,
                         province="山东省", city="烟台市", code="370600")
    site = parse_site(written[0])
    assert site.dialect == "hanweb_jpaas" and site.region_code == "370600"
    assert {(l.url, l.mechanism) for l in site.lists} == {(l.url, l.mechanism) for l in sites["sd_yantai"].lists}
    assert all(e.tag in ("inferred", "unverified") for e in site.evidence.values())  # demo: not confirmed
    expected = tomllib.loads((tmp_path / "fx" / "sd_yantaitest" / "expected.toml").read_text("utf-8"))
    lst = next(v for v in expected.values() if v["kind"] == "list")
    assert lst["article_links"] == 3 and (tmp_path / "fx" / "sd_yantaitest" / "article_1.html").is_file()
    with pytest.raises(Exception, match="already exists"):
        write_site("sd_yantaitest", disc, tmp_path / "sites", tmp_path / "fx", demo=True)


def test_cli_discover_json_and_new_site(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["discover", "https://www.hubei.gov.cn/", "--demo", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output.strip().splitlines()[-1])
    assert data["dialect"] == "trs_wcm" and {c["role"] for c in data["columns"]} == {"要闻", "新闻发布会"}
    res = runner.invoke(cli, ["new-site", "hb_test", "--from", "https://www.hubei.gov.cn/", "--demo",
                              "--sites-dir", str(tmp_path), "--fixtures-dir", str(tmp_path / "fx")])
    assert res.exit_code == 0, res.output
    assert parse_site(tmp_path / "hb_test.toml").dialect == "trs_wcm"
    bad = runner.invoke(cli, ["discover", "https://nowhere.example.org/", "--demo"])
    assert bad.exit_code == 1 and "nowhere.example.org is not simulated" in bad.output


@pytest.mark.parametrize(("slug", "name"), [("hb_province", "list_1.html"), ("sd_yantai", "list_1.html"),
                                            ("sd_yantai", "list_1_data.json"), ("gd_province", "list_2.html")])
def test_check_page_on_a_saved_list(slug: str, name: str) -> None:
    exp = tomllib.loads((FIXTURES / slug / "expected.toml").read_text("utf-8"))[name]
    res = CliRunner().invoke(cli, ["check", slug, "--page", str(FIXTURES / slug / name), "--url", exp["url"],
                                   "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output.strip().splitlines()[-1])
    assert report["kind"] == "list" and report["column"] == exp["column"]
    assert report["links"] == exp.get("article_urls", report["links"]) and len(report["links"]) == exp["article_links"]
    assert report["next_url"] == exp.get("next_url", report["next_url"])
    if "data_url" in exp:
        assert report["data_url"].split("?")[0] == exp["data_url"].split("?")[0]


def test_check_page_on_a_saved_article_and_bad_input(tmp_path: Path) -> None:
    exp = tomllib.loads((FIXTURES / "sd_taian" / "expected.toml").read_text("utf-8"))["article_1.html"]
    runner = CliRunner()
    res = runner.invoke(cli, ["check", "sd_taian", "--page", str(FIXTURES / "sd_taian" / "article_1.html"),
                              "--url", exp["url"], "--json"])
    assert res.exit_code == 0, res.output
    art = json.loads(res.output.strip().splitlines()[-1])["article"]
    assert (art["title"], art["published"], art["source"]) == (exp["title"], exp["published"], exp["source"])
    assert art["region_code"] == "370900" and "打印本页" not in art["body"]
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"<html><body><p>nothing</p></body></html>")
    res = runner.invoke(cli, ["check", "sd_taian", "--page", str(empty), "--url", "https://www.taian.gov.cn/col/col45601/index.html"])
    assert res.exit_code == 1 and "no article links" in res.output
    res = runner.invoke(cli, ["check", "sd_taian", "--page", str(tmp_path / "missing.html"), "--url", "https://x/"])
    assert res.exit_code == 1 and "cannot read" in res.output
    res = runner.invoke(cli, ["check", "sd_taian", "--page", str(empty)])
    assert res.exit_code == 2 and "--url" in res.output


def test_sites_json_has_region_platform_and_evidence() -> None:
    res = CliRunner().invoke(cli, ["sites", "--json", "--archive", "/nonexistent/x.sqlite"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.output.splitlines() if line.startswith("{")]
    assert len(rows) == len(load_sites()[0])
    for r in rows:
        assert {"slug", "name", "province", "city", "region_code", "cms", "columns", "evidence"} <= set(r)
        assert all(e["tag"] in ("confirmed", "inferred", "unverified") for e in r["evidence"].values())
    table = CliRunner().invoke(cli, ["sites", "--archive", "/nonexistent/x.sqlite"])
    assert table.exit_code == 0 and "sd_yantai" in table.output and "jpaas_unit" in table.output


def test_sites_table_shows_last_run_and_documents(crawled) -> None:
    sim, archive, _ = crawled
    res = CliRunner().invoke(cli, ["sites", "--json", "--archive", str(archive)])
    rows = {r["slug"]: r for r in (json.loads(line) for line in res.output.splitlines() if line.startswith("{"))}
    for slug, row in rows.items():
        copies = sum(1 for a in sim.articles(slug) if a.republished_from)  # may count as exact duplicates
        assert len(sim.articles(slug)) - copies <= row["documents"] <= len(sim.articles(slug)), row
        assert row["last_run"].endswith(" ok"), row
