"""app/crawl.py: the exit codes cron sees."""

from __future__ import annotations

import pytest

from app.crawl import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL, EXIT_SKIPPED, RunSummary, exit_code


def summary(status: str) -> RunSummary:
    return RunSummary("sd_x", status, 1, 0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        (["ok", "ok"], EXIT_OK),
        (["ok", "skipped"], EXIT_OK),
        (["ok", "partial"], EXIT_PARTIAL),
        (["ok", "failed"], EXIT_PARTIAL),
        (["failed", "failed"], EXIT_FAILED),
        (["interrupted"], EXIT_FAILED),
        (["blocked", "failed"], EXIT_FAILED),
        (["skipped"], EXIT_SKIPPED),
        ([], EXIT_FAILED),
    ],
)
def test_exit_codes(statuses: list[str], code: int) -> None:
    assert exit_code([summary(s) for s in statuses]) == code
