"""The site-file schema (core/siteschema.py): every mistyped or misbehaving value is refused at
load in one line naming the file and the field; the good files still load (issue #17)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.siteconfig import DIALECTS_DIR, SITES_DIR, SiteConfigError, load_sites, parse_site
from tests.test_siteconfig import GOOD, write


def _sub(old: str, new: str):
    def change(text: str) -> str:
        assert old in text, old
        return text.replace(old, new)
    return change


def _add(extra: str):
    return lambda text: text + "\n" + extra + "\n"


def _top(extra: str, drop: str = ""):
    """A top-level key: before the first table (after one it would belong to that table)."""
    return lambda text: extra + "\n" + (text.replace(drop, "") if drop else text)


LIST = '[[lists]]\ncolumn = "要闻"\nurl = "http://www.test.gov.cn/ywdt/"'

BAD = {
    # wrong types, which used to raise past SiteConfigError
    "max_pages_str": (_sub(LIST, LIST + '\nmax_pages = "ten"'), "lists[0].max_pages", "expected an integer"),
    "first_float": (_sub(LIST, LIST + "\nfirst = 1.5"), "lists[0].first", "expected an integer"),
    "pages_int": (_sub(LIST, LIST + "\npages = 3"), "lists[0].pages", "expected a string"),
    "next_xpath_list": (_sub(LIST, LIST + "\nnext_xpath = ['a']"), "lists[0].next_xpath", "expected a string"),
    "jitter_str": (_sub('cron = "0 3 * * *"', 'cron = "0 3 * * *"\njitter = "600"'), "schedule.jitter", "expected an integer"),
    "timeout_str": (_sub('cron = "0 3 * * *"', 'cron = "0 3 * * *"\ntimeout = "1h"'), "schedule.timeout", "expected an integer"),
    "revisit_days_str": (_add('[crawl]\nrevisit_days = "7"'), "crawl.revisit_days", "expected an integer"),
    "prune_str": (_add('[article]\nprune = ".share"'), "article.prune", "expected a list"),
    "prune_item_int": (_add("[article]\nprune = [1]"), "article.prune[0]", "expected a string"),
    "region_as_string": (_sub('[region]\nprovince = "山东省"\ncity = "测试市"\ncode = "379900"', 'region = "370000"'),
                         "region", "expected a table"),
    "schedule_as_string": (lambda t: 'schedule = "0 3 * * *"\n' + t.replace('[schedule]\ncron = "0 3 * * *"', ""),
                           "schedule", "expected a table"),
    "lists_entry_string": (_top('lists = ["http://www.test.gov.cn/"]', LIST), "lists[0]", "expected a table"),
    "bool_as_int": (_add("[crawl]\nmax_pages = true"), "crawl.max_pages", "expected an integer"),
    "datastore_str": (_add('[links]\ndatastore = "yes"'), "links.datastore", "expected true or false"),
    # ranges
    "timeout_zero": (_sub('cron = "0 3 * * *"', 'cron = "0 3 * * *"\ntimeout = 0'), "schedule.timeout", "at least 1"),
    "jitter_negative": (_sub('cron = "0 3 * * *"', 'cron = "0 3 * * *"\njitter = -5'), "schedule.jitter", "at least 0"),
    "max_pages_zero": (_sub(LIST, LIST + "\nmax_pages = 0"), "lists[0].max_pages", "at least 1"),
    # unknown or misspelt fields
    "misspelt_top": (_top('alowed_domains = ["www.test.gov.cn"]'), "alowed_domains", "did you mean 'allowed_domains'"),
    "misspelt_nested": (_sub('cron = "0 3 * * *"', 'cron = "0 3 * * *"\ntimout = 60'), "schedule.timout", "did you mean 'timeout'"),
    "unknown_table": (_add("[crawler]\nmax_pages = 3"), "crawler", "did you mean 'crawl'"),
    # values that load but misbehave
    "cron_never_fires": (_sub('cron = "0 3 * * *"', 'cron = "0 3 31 2 *"'), "schedule.cron", "never fires"),
    "unknown_encoding": (_top('encoding = "klingon-8"'), "encoding", "unknown"),
    "binary_codec": (_top('encoding = "base64"'), "encoding", "not a text encoding"),
    "idna_codec": (_top('encoding = "idna"'), "encoding", "not a text encoding"),
    "empty_domains": (_sub('allowed_domains = ["www.test.gov.cn"]', "allowed_domains = []"), "allowed_domains", "empty"),
    "domain_with_scheme": (_sub('allowed_domains = ["www.test.gov.cn"]', 'allowed_domains = ["http://www.test.gov.cn/"]'),
                           "allowed_domains[0]", "not a host name"),
    "empty_lists": (_top("lists = []", LIST), "lists", "empty"),
    "offsite_list": (_sub("http://www.test.gov.cn/ywdt/", "http://www.elsewhere.cn/ywdt/"), "lists[0].url", "off-domain"),
    "private_list": (lambda t: t.replace("http://www.test.gov.cn/ywdt/", "http://127.0.0.1/ywdt/")
                     .replace('allowed_domains = ["www.test.gov.cn"]', 'allowed_domains = ["127.0.0.1"]'),
                     "lists[0].url", "private address"),
    "dialect_path": (_sub('dialect = "trs_wcm"', 'dialect = "../sites/sd_qingdao"'), "dialect", "not a profile name"),
    "empty_column": (_sub('column = "要闻"', 'column = ""'), "lists[0].column", "empty"),
    "control_char": (_sub('name = "测试市人民政府"', 'name = "测试\\u0000市"'), "name", "control characters"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_value_is_refused_in_one_line_naming_file_and_field(tmp_path: Path, case: str) -> None:
    change, field, problem = BAD[case]
    path = write(tmp_path, change(GOOD))
    with pytest.raises(SiteConfigError) as info:
        parse_site(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"sd_test.toml: {field}: "), message
    assert problem in message, message


def test_an_upper_case_scheme_is_accepted_and_normalised(tmp_path: Path) -> None:
    site = parse_site(write(tmp_path, GOOD.replace("http://www.test.gov.cn/ywdt/", "HTTP://www.test.gov.cn/ywdt/")))
    assert site.lists[0].url == "http://www.test.gov.cn/ywdt/"


def test_the_shipped_files_and_profiles_pass_the_schema() -> None:
    sites, errors = load_sites(SITES_DIR, DIALECTS_DIR)
    assert errors == [] and len(sites) >= 4


def test_govpress_sites_points_at_another_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, GOOD)
    monkeypatch.setenv("GOVPRESS_SITES", str(tmp_path))
    sites, errors = load_sites()
    assert list(sites) == ["sd_test"] and errors == []


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVPRESS_SITES": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True,
                          env=env, timeout=60)


def test_schedule_list_exits_non_zero_on_a_bad_file_and_lists_the_others(tmp_path: Path) -> None:
    for src in SITES_DIR.glob("*.toml"):
        shutil.copy(src, tmp_path / src.name)
    write(tmp_path, GOOD.replace("[schedule]", "[schedule]\ntimeout = 0"))
    result = _cli(tmp_path, "schedule", "--list")
    assert result.returncode != 0
    assert "sd_qingdao" in result.stdout
    assert "sd_test.toml: schedule.timeout: " in result.stderr
    assert "Traceback" not in result.stderr


def test_crawl_all_exits_non_zero_when_a_site_file_is_bad(tmp_path: Path) -> None:
    """Only the bad file: nothing to crawl, no network, exit non-zero with the one line."""
    write(tmp_path, GOOD.replace("[schedule]", "[schedule]\ntimeout = 0"))
    result = _cli(tmp_path, "crawl", "--all", "--archive", str(tmp_path / "a.sqlite"), "--no-progress")
    assert result.returncode != 0
    assert "sd_test.toml: schedule.timeout: " in result.stderr
    assert "Traceback" not in result.stderr


def test_sites_option_points_at_another_folder(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    result = subprocess.run([sys.executable, "-m", "app.cli", "--sites", str(tmp_path), "sites"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "sd_test" in result.stdout and "sd_qingdao" not in result.stdout
