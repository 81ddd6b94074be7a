"""Attachments and images: a malformed URL in one link is flagged and skipped, the article kept."""

from __future__ import annotations

import pytest

from pipelines.extract import extract

BODY = "".join(f"<p>这是第{i}段正文，市政府召开常务会议，研究部署近期重点工作，会议强调要抓好落实。</p>" for i in range(4))


def _page(inner: str, head: str = "") -> bytes:
    return (f"<html><head><meta charset='utf-8'>{head}<title>关于召开会议的通知</title></head><body>"
            f"<div class='article'><h1>关于召开会议的通知</h1><div class='TRS_Editor'>{BODY}{inner}</div></div>"
            "</body></html>").encode()


@pytest.mark.parametrize("inner", [
    '<p><a href="http://[::1/a.pdf">附件1.pdf</a></p><p><a href="/files/b.pdf">附件2.pdf</a></p>',
    '<p><img src="http://[::1/a.jpg" width="300"></p><p><img src="/img/b.jpg" width="300"></p>',
    '<p><img data-src="http://[zz]/a.png" width="300"></p><p><img src="/img/b.jpg" width="300"></p>',
])
def test_a_malformed_link_or_image_is_flagged_and_the_others_kept(inner: str) -> None:
    ex = extract(_page(inner), "http://www.x.gov.cn/a/t20260101_1.html")
    assert "bad_url" in ex.flags
    assert "市政府召开常务会议" in ex.body
    kept = ex.attachments or ex.images
    assert [i["url"] for i in kept] in (["http://www.x.gov.cn/files/b.pdf"], ["http://www.x.gov.cn/img/b.jpg"])


def test_a_malformed_base_href_is_ignored_and_flagged() -> None:
    ex = extract(_page('<p><a href="/files/b.pdf">附件2.pdf</a></p>', '<base href="http://[::1/">'),
                 "http://www.x.gov.cn/a/t20260101_1.html")
    assert "bad_url" in ex.flags
    assert [a["url"] for a in ex.attachments] == ["http://www.x.gov.cn/files/b.pdf"]


def test_good_links_raise_no_flag() -> None:
    ex = extract(_page('<p><a href="/files/b.pdf">附件2.pdf</a></p>'), "http://www.x.gov.cn/a/t.html")
    assert "bad_url" not in ex.flags
