"""Readable diffs between versions: paragraphs aligned, changed paragraphs compared by character."""

from __future__ import annotations

import pytest

pytest.importorskip("markupsafe")

from reading.diff import diff_versions, inline


def test_character_diff_inside_a_changed_paragraph() -> None:
    html, removed, added = inline("青岛市发布通知。", "青岛市政府发布新通知。")
    assert str(html) == "青岛市<ins>政府</ins>发布<ins>新</ins>通知。"
    assert (removed, added) == (0, 3)


def test_paragraphs_added_removed_and_folded() -> None:
    same = ["第一段。", "第二段。", "第三段。", "第四段。", "第五段。"]
    old = "\n".join([*same, "旧的结尾。"])
    new = "\n".join([*same, "新的结尾。", "补充说明。"])
    d = diff_versions("标题", old, "标题（更新）", new)
    kinds = [b.kind for b in d.blocks]
    assert kinds == ["folded", "equal", "changed", "added"]
    assert "4 unchanged" in str(d.blocks[0].html)
    assert str(d.blocks[2].html) == "<del>旧</del><ins>新</ins>的结尾。"
    assert str(d.title) == "标题<ins>（更新）</ins>"
    assert (d.removed, d.added) == (1, 1 + len("补充说明。"))  # characters of the text, not the headline
    assert not d.unchanged


def test_markup_in_text_is_escaped_and_identical_versions_are_unchanged() -> None:
    d = diff_versions("t", "<b>a</b>", "t", "<b>a</b> <i>")
    assert "&lt;i&gt;" in str(d.blocks[0].html) and "<i>" not in str(d.blocks[0].html)
    assert diff_versions("t", "同一段。", "t", "同一段。").unchanged
