"""Settings and environment variables: parsed and range-checked once, one-line errors (issue #17)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.crawl import project_settings
from crawler.config import ConfigError


@pytest.mark.parametrize(("name", "value", "problem"), [
    ("DOWNLOAD_DELAY", "nan", "not a finite number"),
    ("DOWNLOAD_DELAY", "inf", "not a finite number"),
    ("DOWNLOAD_DELAY", "abc", "not a number"),
    ("DOWNLOAD_DELAY", "-1", "out of range"),
    ("LIST_MAX_PAGES", "ten", "not an integer"),
    ("LIST_MAX_PAGES", "2.5", "not an integer"),
    ("CLEANING_MIN_CHARS", "-3", "out of range"),
    ("HOSTMAP", "{not json", "not a JSON object"),
    ("HOSTMAP", '{"www.x.gov.cn": "8.8.8.8:80"}', "not a loopback"),
    ("GOVPRESS_NOW", "yesterday", "not an ISO 8601 time"),
    ("DOWNLOAD_TIMEOUT", "0", "out of range"),
    ("INCREMENTAL_FULL", "maybe", "not true/false"),
    ("LOG_LEVEL", "loud", "not a log level"),
    ("MONITOR_MAX_FAILURE_RATE", "1.5", "out of range"),
])
def test_a_bad_setting_is_one_line_naming_it(name: str, value: str, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        project_settings({name: value})
    message = str(info.value)
    assert "\n" not in message and name in message and problem in message, message


def test_good_values_are_parsed_once_into_their_types() -> None:
    settings = project_settings({"DOWNLOAD_DELAY": "0.5", "LIST_MAX_PAGES": "3", "LOG_LEVEL": "debug",
                                 "INCREMENTAL_FULL": "true", "HOSTMAP": '{"www.x.gov.cn": "127.0.0.1:8000"}'})
    assert settings["DOWNLOAD_DELAY"] == 0.5 and settings["LIST_MAX_PAGES"] == 3
    assert settings["LOG_LEVEL"] == "DEBUG" and settings["INCREMENTAL_FULL"] is True
    assert settings.getdict("HOSTMAP") == {"www.x.gov.cn": "127.0.0.1:8000"}


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=60)


@pytest.mark.parametrize(("value", "problem"), [("nan", "not a finite number"), ("inf", "not a finite number"),
                                              ("abc", "not a number"), ("-2", "out of range")])
def test_the_environment_is_parsed_and_range_checked(monkeypatch: pytest.MonkeyPatch, value: str,
                                                     problem: str) -> None:
    from crawler.config import SETTINGS, env

    monkeypatch.setenv("GOVPRESS_DOWNLOAD_DELAY", value)
    with pytest.raises(ConfigError) as info:
        env("GOVPRESS_DOWNLOAD_DELAY", 2.0, SETTINGS["DOWNLOAD_DELAY"])
    assert str(info.value).startswith("environment variable GOVPRESS_DOWNLOAD_DELAY: ") and problem in str(info.value)


@pytest.mark.parametrize("value", ["nan"])
def test_a_bad_environment_variable_is_one_line_without_traceback(tmp_path, value: str) -> None:
    result = _cli({"GOVPRESS_DOWNLOAD_DELAY": value}, "crawl", "sd_qingdao", "--archive",
                  str(tmp_path / "a.sqlite"), "--no-progress")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "GOVPRESS_DOWNLOAD_DELAY" in lines[0], result.stderr
    assert not (tmp_path / "a.sqlite").exists()  # refused before anything ran


def test_a_bad_set_value_is_one_line_without_traceback(tmp_path) -> None:
    result = _cli({}, "crawl", "sd_qingdao", "--archive", str(tmp_path / "a.sqlite"), "--no-progress",
                  "-s", "DOWNLOAD_DELAY=abc")
    assert result.returncode != 0
    assert "setting DOWNLOAD_DELAY: 'abc' is not a number" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_lower_case_log_level_is_accepted() -> None:
    code = "from app.crawl import project_settings; print(project_settings()['LOG_LEVEL'])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "GOVPRESS_LOG_LEVEL": "debug"}, timeout=60)
    assert result.stdout.strip() == "DEBUG", result.stderr
