"""``govpress crawl`` as an operator runs it: no listening sockets, a complete main file, the contact warning."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from archive import Archive
from simulator import Simulator
from tests.conftest import TEST_AGENT, govpress_args


def listening_inodes() -> set[str]:
    """Socket inodes in LISTEN state (TCP over IPv4 and IPv6) in this network namespace."""
    out: set[str] = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) > 9 and parts[3] == "0A":
                out.add(parts[9])
    return out


def socket_inodes(pid: int) -> set[str]:
    out: set[str] = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return out
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target[8:-1])
    return out


def test_a_crawl_opens_no_listening_socket_warns_of_the_placeholder_contact_and_leaves_a_complete_file(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "a.sqlite"
    env = {k: v for k, v in os.environ.items() if k != "GOVPRESS_CONTACT"}
    with Simulator() as sim:
        # The simulator serves from this test process: every listening socket of the crawl is its own.
        args = govpress_args(sim, archive, "crawl", "sd_dzwww")
        at = args.index(f"USER_AGENT={TEST_AGENT}")
        args = args[: at - 1] + args[at + 1 :]  # the default User-Agent, as an operator who set nothing
        proc = subprocess.Popen(args, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        listening: set[str] = set()
        samples = 0
        while proc.poll() is None:
            listening |= socket_inodes(proc.pid) & listening_inodes()
            samples += 1
            time.sleep(0.05)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert samples > 5
    assert not listening, f"the crawl listened on {len(listening)} socket(s) (remote control / telnet?)"
    warning = [line for line in err.splitlines() if "GOVPRESS_CONTACT" in line]
    assert warning and "placeholder" in warning[0], err[-2000:]

    # The .sqlite file alone, copied without its -wal, holds every document and run.
    alone = tmp_path / "copy" / "a.sqlite"
    alone.parent.mkdir()
    shutil.copyfile(archive, alone)
    with Archive(archive) as full, Archive(alone) as copy:
        assert copy.count(include_duplicates=True) == full.count(include_duplicates=True) > 0
        assert [r.status for r in copy.runs()] == [r.status for r in full.runs()] == ["ok"]


def test_the_warning_is_only_for_the_placeholder_and_never_for_demos() -> None:
    from app.crawl import contact_warning, project_settings
    from crawler.settings import GOVPRESS_CONTACT_PLACEHOLDER

    placeholder_agent = f"govpress/0.1 (+{GOVPRESS_CONTACT_PLACEHOLDER}; archiving public press releases)"
    assert "GOVPRESS_CONTACT" in contact_warning(project_settings({"USER_AGENT": placeholder_agent}))
    assert not contact_warning(project_settings({"USER_AGENT": placeholder_agent, "GOVPRESS_TRIGGER": "demo"}))
    assert not contact_warning(project_settings({"USER_AGENT": "govpress/0.1 (+mailto:me@example.org)"}))
