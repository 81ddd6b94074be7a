"""Text of attached files (pipelines/attachment_text.py) on files built by the simulator."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from pipelines.attachment_text import file_text, name_kind, sniff
from simulator import attachments as A

pytest.importorskip("pypdf")
pytest.importorskip("docx")
pytest.importorskip("openpyxl")


def test_pdf_text_with_chinese_characters() -> None:
    ft = file_text(A.build(A.PLAN)[0], "http://x.gov.cn/attach/a.pdf")
    assert (ft.kind, ft.status) == ("pdf", "ok")
    for line in A.PLAN.lines:
        assert line in ft.text


def test_docx_paragraphs_and_table_rows() -> None:
    ft = file_text(A.build(A.GUIDE)[0], "http://x.gov.cn/attach/b.docx")
    assert (ft.kind, ft.status) == ("docx", "ok")
    assert ft.text.split("\n") == list(A.GUIDE.lines) + ["\t".join(r) for r in A.GUIDE.table]


def test_xlsx_rows_tab_separated() -> None:
    ft = file_text(A.build(A.BUDGET)[0], "http://x.gov.cn/attach/c.xlsx")
    assert (ft.kind, ft.status) == ("xlsx", "ok")
    assert ft.text.split("\n") == list(A.BUDGET.lines) + ["\t".join(r) for r in A.BUDGET.table]


XLS = Path(__file__).parent / "fixtures" / "attachments" / "budget.xls"  # made by make_xls.py beside it


def test_xls_rows_tab_separated_with_whole_numbers_and_iso_dates() -> None:
    # a Hanweb download link names no extension: the OLE2 streams say it is a workbook
    ft = file_text(XLS.read_bytes(), "http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=abc")
    assert (ft.kind, ft.status) == ("xls", "ok")
    assert ft.text.split("\n") == [A.BUDGET.lines[0], *("\t".join(r) for r in A.BUDGET.table),
                                    "下达日期\t2026-04-08", "空白页"]


def test_a_broken_xls_gives_an_error_status() -> None:
    data = XLS.read_bytes()
    ft = file_text(data[: len(data) // 2], "http://x.gov.cn/attach/c.xls")  # cut in the middle of its streams
    assert ft.kind == "xls" and ft.status.startswith("error") and ft.text == ""


def test_ofd_text_codes_in_page_order() -> None:
    ft = file_text(A.build(A.ROSTER)[0], "http://x.gov.cn/attach/d.ofd")
    assert (ft.kind, ft.status) == ("ofd", "ok")
    assert ft.text.split("\n") == list(A.ROSTER.lines)


def test_type_comes_from_the_bytes_not_the_link() -> None:
    # a Hanweb download script names no extension; the bytes say DOCX
    data = A.build(A.GUIDE)[0]
    assert sniff(data, "http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=abc") == "docx"
    assert name_kind("http://x.gov.cn/module/download/downfile.jsp?filename=1.pdf&showname=名单.XLS") == "xls"


@pytest.mark.parametrize("data, url, status", [
    (b"%PDF-1.4\n garbage without objects", "a.pdf", "error"),
    (b"PK\x03\x04 not really a zip", "a.docx", "error"),
    (b"\x00\x01\x02 random bytes", "a.bin", "unsupported"),
    (b"Rar!\x1a\x07\x00", "a.rar", "unsupported"),
])
def test_broken_or_unknown_files_give_a_status_not_an_exception(data: bytes, url: str, status: str) -> None:
    ft = file_text(data, url)
    assert ft.status.startswith(status) and ft.text == ""


def test_a_zip_claiming_a_huge_size_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import pipelines.attachment_text as T

    monkeypatch.setattr(T, "MAX_UNPACKED", 1000)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", "0" * 50_000)
    ft = file_text(buf.getvalue(), "a.docx")
    assert ft.status.startswith("error") and "unpacks to" in ft.status


def test_a_pdf_without_a_text_layer_is_empty() -> None:
    ft = file_text(A.build_pdf([]), "scan.pdf")
    assert (ft.kind, ft.status) == ("pdf", "empty")


@pytest.mark.skipif(shutil.which("antiword") is not None, reason="antiword installed")
def test_word_binary_without_antiword_is_unsupported() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    assert file_text(ole, "a.doc").status == "unsupported"


@pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword not installed")
def test_an_ole_file_that_is_not_a_word_document_is_an_error() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    assert file_text(ole, "a.doc").status.startswith("error")
