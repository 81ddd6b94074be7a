"""End to end (issue #13): the simulator's press conferences come out of a crawl structured."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from app.cli import cli
from archive import Archive

CONFERENCE = re.compile(r"发布会|吹风会|答记者问")
WRITTEN = ("conf-", "tc-", "qd-conf-", "dz-conf-")
"""Data keys of the hand-written conferences (simulator/data/*.json); the generated portal pages
of other simulated sites are not all transcripts with named speakers."""


def test_every_simulated_press_conference_has_turns_and_participants(crawled) -> None:  # type: ignore[no-untyped-def]
    sim, archive, _ = crawled
    a = Archive(archive)
    confs = [t for t in sim.articles() if CONFERENCE.search(t.title) and t.key.startswith(WRITTEN)]
    assert len(confs) >= 24
    for truth in confs:
        doc = a.get(truth.url)
        assert doc is not None, truth.url
        t = a.transcript(doc.id)
        assert t is not None, truth.url
        assert t.turns and t.participants, truth.url
        assert all(x.role in ("host", "official", "reporter", "other") for x in t.turns)
    for truth in sim.articles():
        if not CONFERENCE.search(truth.title) and "记者：" not in "".join(truth.paragraphs):
            doc = a.get(truth.url)
            assert doc is not None and a.transcript(doc.id) is None, truth.url


def test_search_chengzhongcun_by_gao_benwei_finds_his_answer(crawled) -> None:  # type: ignore[no-untyped-def]
    _, archive, _ = crawled
    result = CliRunner().invoke(cli, ["search", "城中村", "--speaker", "高本伟", "--json", "--archive", str(archive)])
    assert result.exit_code == 0, result.output
    hits = [json.loads(line) for line in result.output.splitlines()]
    assert hits and all(h["speaker"] == "高本伟" and h["role"] == "official" for h in hits)
    assert any("城乡结合部治理新路径" in h["snippet"] for h in hits)  # the 2026-01-21 briefing's answer


def test_references_resolve_between_simulated_documents(crawled) -> None:  # type: ignore[no-untyped-def]
    sim, archive, _ = crawled
    a = Archive(archive)
    by_key = {t.key: a.get(t.url) for t in sim.articles()}
    plan = by_key["ref-prov-czc-plan"]
    assert plan is not None and a.refs(plan.id).doc_number == "鲁政发〔2026〕3号"
    citing = {r.document_id for r in a.cited_by(plan.id)}
    expected = {d.id for k in ("ref-jn-czc-implement", "tc-jn-renewal", "tc-prov-czc") if (d := by_key[k])}
    assert expected <= citing  # cross-site: Jinan documents cite the provincial plan by 文号 and title
    renewal = by_key["tc-jn-renewal"]
    assert renewal is not None
    targets = {r.norm: r.target_id for r in a.refs(renewal.id).numbers}
    implement = by_key["ref-jn-czc-implement"]
    assert implement is not None and targets == {"鲁政发〔2026〕3号": plan.id, "济政办发〔2026〕8号": implement.id}


SPEAKER_LINE = re.compile(r"^(?:[【\[]?[\u4e00-\u9fff·]{1,20}[】\]]?)[：:]")


def test_generated_conference_pages_with_speaker_lines_are_transcripts(crawled) -> None:  # type: ignore[no-untyped-def]
    """The generated portals' conference pages: a report about a conference (no speaker lines)
    is an ordinary release; one with 记者：… lines is a transcript with turns."""
    sim, archive, _ = crawled
    a = Archive(archive)
    pages = [t for t in sim.articles() if CONFERENCE.search(t.title) and not t.key.startswith(WRITTEN)
             and any(SPEAKER_LINE.match(p) for p in t.paragraphs)]
    assert pages
    for truth in pages:
        doc = a.get(truth.url)
        assert doc is not None, truth.url
        t = a.transcript(doc.id)
        assert t is not None and t.turns, truth.url
