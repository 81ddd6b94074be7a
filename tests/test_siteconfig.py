"""Site definitions: the shipped files load, and every kind of bad file is refused in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.siteconfig import DIALECTS_DIR, SITES_DIR, SiteConfigError, load_sites, parse_site

GOOD = """
slug = "sd_test"
name = "测试市人民政府"
dialect = "trs_wcm"
allowed_domains = ["www.test.gov.cn"]

[region]
province = "山东省"
city = "测试市"
code = "379900"

[[lists]]
column = "要闻"
url = "http://www.test.gov.cn/ywdt/"

[schedule]
cron = "0 3 * * *"

[evidence]
host = "confirmed: a test"
scheme = "unverified"
region = "inferred: a test"
article_url = "unverified"
encoding = "unverified"
"lists.要闻.url" = "unverified"
"lists.要闻.mechanism" = "unverified"
"""


def write(tmp_path: Path, text: str, name: str = "sd_test.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_shipped_sites_all_load() -> None:
    sites, errors = load_sites()
    assert errors == []
    assert {"sd_province", "sd_jinan", "sd_qingdao", "sd_dzwww"} <= set(sites)
    assert sum(s.province == "山东省" for s in sites.values()) >= 19
    others = [s for s in sites.values() if s.province != "山东省"]
    assert len(others) >= 3 and len({s.dialect for s in others}) >= 3
    for site in sites.values():
        assert site.evidence and all(e.tag in ("confirmed", "inferred", "unverified") for e in site.evidence.values())
        roles = {lst.role for lst in site.lists}
        assert roles & {"要闻", "政务动态"}, f"{site.slug}: no 要闻/政务动态 column"
    for slug, site in sites.items():
        assert site.slug == slug == Path(site.path).stem
        assert site.lists and site.article_pattern
        assert len(site.region_code) == 6


def test_dialect_defaults_are_merged(tmp_path: Path) -> None:
    site = parse_site(write(tmp_path, GOOD))
    assert site.lists[0].pages == "index_{n}.shtml"  # from the trs_wcm dialect
    assert site.cms == site.dialect == "trs_wcm" and site.lists[0].mechanism == "html"
    assert site.evidence_counts() == {"confirmed": 1, "inferred": 1, "unverified": 5}
    assert round(site.confirmed_share(), 3) == round(1 / 7, 3)
    assert site.article_re.search("http://www.test.gov.cn/ywdt/202601/t20260121_123.shtml")
    assert site.schedule.cron == "0 3 * * *"


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (lambda t: t.replace('name = "测试市人民政府"\n', ""), "name", "missing required field"),
        (lambda t: t + "\n[[[broken", "TOML syntax error", ""),
        (lambda t: t.replace('cron = "0 3 * * *"', 'cron = "61 3 * * *"'), "schedule.cron", "invalid cron"),
        (lambda t: t.replace('cron = "0 3 * * *"', 'cron = "every night"'), "schedule.cron", "invalid cron"),
        (lambda t: t + '\n[article]\nbody = "div[[["\n', "article.body", "bad CSS selector"),
        (lambda t: t + "\n[links]\npattern = '(unclosed'\n", "links.pattern", "bad regular expression"),
        (lambda t: t.replace('code = "379900"', 'code = "37"'), "region.code", "6-digit"),
        (lambda t: t.replace('url = "http://www.test.gov.cn/ywdt/"', 'url = "ftp://x/"'), "lists[0].url", "not an http"),
        (lambda t: t.replace('dialect = "trs_wcm"', 'dialect = "nosuchcms"'), "nosuchcms.toml", "dialect not found"),
        (lambda t: t.replace('scheme = "unverified"\n', ""), "evidence.scheme", "missing"),
        (lambda t: t.replace('host = "confirmed: a test"', 'host = "seen it"'), "evidence.host", "is not"),
        (lambda t: t.replace('host = "confirmed: a test"', 'host = "confirmed:"'), "evidence.host", "is not"),
        (lambda t: t + '"lists.其他.url" = "unverified"\n', "evidence.lists.其他.url", "names no fact"),
        (lambda t: t.replace('[schedule]', '[article]\nbody = "#zoom"\n\n[schedule]'), "evidence.article.body", "missing"),
        (lambda t: t.replace('column = "要闻"', 'column = "要闻"\nmechanism = "ajax"'), "lists[0].mechanism", "not one of"),
        (lambda t: t.replace('column = "要闻"', 'column = "要闻"\nrole = "杂项"'), "lists[0].role", "not one of"),
        (lambda t: t.replace('slug = "sd_test"', 'slug = "Qingdao City"'), "slug", "pinyin slug"),
    ],
)
def test_bad_definition_is_one_line_naming_file_and_field(
    tmp_path: Path, change, field: str, problem: str
) -> None:
    path = write(tmp_path, change(GOOD))
    with pytest.raises(SiteConfigError) as info:
        parse_site(path)
    message = str(info.value)
    assert "\n" not in message
    assert field in message and problem in message
    assert message.startswith(("sd_test.toml", "nosuchcms.toml"))


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    for src in SITES_DIR.glob("*.toml"):
        shutil.copy(src, tmp_path / src.name)
    write(tmp_path, GOOD.replace('cron = "0 3 * * *"', 'cron = "bad"'), "sd_test.toml")
    sites, errors = load_sites(tmp_path, DIALECTS_DIR)
    assert "sd_test" not in sites and "sd_qingdao" in sites
    assert len(errors) == 1 and errors[0].startswith("sd_test.toml: schedule.cron")


@pytest.mark.parametrize(
    ("dow", "expected"),
    [("*", "*"), ("1", "mon"), ("0", "sun"), ("7", "sun"), ("1-5", "mon,tue,wed,thu,fri"),
     ("0,6", "sun,sat"), ("*/2", "sun,tue,thu,sat"), ("mon-fri", "mon-fri")],
)
def test_crontab_day_of_week_uses_standard_numbering(dow: str, expected: str) -> None:
    from core.siteconfig import _crontab_days

    assert _crontab_days(dow) == expected
