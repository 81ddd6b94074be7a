"""Docs change with the code: every setting and every command is documented."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from app.cli import cli
from crawler import settings

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = ("ARCHIVE_", "CLEANING_", "DEDUP_", "INCREMENTAL_", "HOSTMAP", "GOVPRESS_", "SCHEDULER_", "MONITOR_", "LOCK_", "LIST_", "RETRY_BACKOFF")


def test_every_govpress_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "settings.md").read_text("utf-8")
    names = [n for n in dir(settings) if n.isupper() and n.startswith(PREFIXES)]
    assert names
    missing = [n for n in names if f"`{n}`" not in doc]
    assert not missing, f"settings missing from docs/settings.md: {missing}"


def test_every_command_has_help_with_an_example_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8") + (ROOT / "docs" / "operations.md").read_text("utf-8") \
        if (ROOT / "docs" / "operations.md").exists() else (ROOT / "README.md").read_text("utf-8")
    runner = CliRunner()
    for name, command in cli.commands.items():
        assert command.help and "Example" in command.help, f"govpress {name} has no example in its help"
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert re.search(rf"govpress {name}\b", readme), f"govpress {name} is not in README/operations docs"
