"""Text of attached files (PDF, DOCX, XLSX, XLS, DOC/WPS, OFD) for the archive and its search.

``file_text(data, url, name)`` sniffs the type from the bytes (the URL and show
name only break ties: a Hanweb ``downfile.jsp`` link names no extension) and
returns ``FileText(kind, text, status)``. It never raises: a broken or hostile
file gives ``status`` ``error: …``; a type no reader handles gives
``unsupported``; a scanned PDF with no text layer gives ``empty``.

Readers, chosen for being maintained, pure Python where possible and small:

* PDF – ``pypdf``: pure Python, no system libraries, reads CJK text through
  the fonts' ToUnicode maps; pdfminer.six lays text out better but is several
  times slower and heavier, which a crawl does not need for search text.
* DOCX – ``python-docx``: paragraphs and tables (rows tab-separated).
* XLSX – ``openpyxl`` in read-only mode: one line per row, cells tab-separated.
* XLS (Excel 97–2003 BIFF, and WPS ``.et`` saved in that format) – ``xlrd`` 2, which
  reads exactly this legacy format (openpyxl cannot): the same layout as XLSX, whole
  numbers without ``.0``, date cells as ISO dates.
* DOC / WPS (OLE2 Word binary; WPS Writer files are mostly the same format) –
  the ``antiword`` program when installed (``olefile`` only confirms that the
  file is a Word document first); otherwise ``unsupported``.
* OFD (GB/T 33190, a ZIP of XML pages) – read here with ``zipfile`` and lxml:
  the ``TextCode`` elements of each page, in page order. No maintained Python
  OFD reader exists; the format's text is plain XML.

Zip-based files are checked against ``MAX_UNPACKED`` before a reader opens
them (zip bombs); text is cut at ``MAX_TEXT`` characters.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

logger = logging.getLogger(__name__)

MAX_TEXT = 1_000_000          # characters of text kept per file
MAX_UNPACKED = 64 * 1024 * 1024  # total uncompressed size a ZIP-based file may claim
MAX_PDF_PAGES = 500
ANTIWORD_TIMEOUT = 30
KINDS = ("pdf", "docx", "xlsx", "doc", "xls", "wps", "ofd", "zip", "rar", "other")
_EXT_RE = re.compile(r"\.(pdf|docx|doc|xlsx|xls|wps|et|ofd|zip|rar|7z|pptx?)$", re.IGNORECASE)


@dataclass(frozen=True)
class FileText:
    kind: str
    """pdf, docx, xlsx, doc, xls, wps, ofd, zip, rar or other."""
    text: str
    status: str
    """ok, empty (no text layer), unsupported (no reader for the type) or ``error: …``."""


def name_kind(url: str, name: str = "") -> str:
    """Type from the show name or URL (``showname=``/``filename=`` of download scripts)."""
    parts = urlsplit(url)
    qs = parse_qs(parts.query)
    for cand in (name, *(qs.get("showname") or []), *(qs.get("filename") or []), unquote(parts.path)):
        m = _EXT_RE.search(cand.strip())
        if m:
            ext = m.group(1).lower()
            return {"et": "xls", "7z": "zip", "ppt": "other", "pptx": "other"}.get(ext, ext)
    return "other"


def sniff(data: bytes, url: str = "", name: str = "") -> str:
    """The file's type from its first bytes; the name decides among OLE2 and ZIP kinds."""
    guess = name_kind(url, name)
    if data.startswith(b"%PDF") or data[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError):
            return guess
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "OFD.xml" in names:
            return "ofd"
        return guess if guess in ("docx", "xlsx", "ofd") else "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _ole_kind(data, guess)
    if data.startswith(b"Rar!"):
        return "rar"
    return guess


def _check_zip(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        total = sum(i.file_size for i in zf.infolist())
    if total > MAX_UNPACKED:
        raise ValueError(f"unpacks to {total} bytes (over {MAX_UNPACKED})")


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")  # many government PDFs are "encrypted" with an empty user password
    out = []
    for page in reader.pages[:MAX_PDF_PAGES]:
        out.append(page.extract_text() or "")
    return "\n".join(out)


def _docx(data: bytes) -> str:
    import docx

    _check_zip(data)
    doc = docx.Document(io.BytesIO(data))
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            out.append("\t".join(c.text.strip() for c in row.cells))
    return "\n".join(out)


def _xlsx(data: bytes) -> str:
    import openpyxl

    _check_zip(data)
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    out: list[str] = []
    try:
        for ws in wb.worksheets:
            out.append(ws.title)
            for row in ws.iter_rows(values_only=True):
                cells = ["" if v is None else str(v) for v in row]
                if any(cells):
                    out.append("\t".join(cells).rstrip("\t"))
    finally:
        wb.close()
    return "\n".join(out)


def _ofd(data: bytes) -> str:
    from lxml import etree

    _check_zip(data)
    out: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        pages = sorted((n for n in zf.namelist() if re.search(r"Pages/Page_?(\d+)/Content\.xml$", n)),
                       key=lambda n: int(re.search(r"Page_?(\d+)/Content", n).group(1)))  # type: ignore[union-attr]
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        for name in pages:
            root = etree.fromstring(zf.read(name), parser)
            for obj in root.iter("{*}TextObject"):  # one positioned run of text: a line
                out.append("".join(el.text or "" for el in obj.iter("{*}TextCode")))
    return "\n".join(out)


def _ole_kind(data: bytes, guess: str) -> str:
    """An OLE2 file's kind from its streams (a workbook or a Word document); the name breaks ties."""
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if ole.exists("Workbook") or ole.exists("Book"):
                return "xls"
            if ole.exists("WordDocument"):
                return guess if guess in ("doc", "wps") else "doc"
    except Exception:  # olefile raises many kinds on a damaged file; the reader will say what is wrong
        pass
    return guess if guess in ("doc", "xls", "wps") else "doc"


def _xls(data: bytes) -> str:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, logfile=io.StringIO(), on_demand=True)
    out: list[str] = []
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            out.append(sheet.name)
            for r in range(sheet.nrows):
                cells = [_xls_cell(cell, book.datemode) for cell in sheet.row(r)]
                if any(cells):
                    out.append("\t".join(cells).rstrip("\t"))
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return "\n".join(out)


def _xls_cell(cell: Any, datemode: int) -> str:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            moment: datetime = xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return str(cell.value)
        return moment.date().isoformat() if moment.time() == time() else moment.isoformat(sep=" ")
    if cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer():
        return str(int(cell.value))
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    return str(cell.value).strip()


def _ole_is_word(data: bytes) -> bool:
    try:
        import olefile
    except ImportError:  # pragma: no cover - olefile comes with the attachments extra
        return True
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return bool(ole.exists("WordDocument"))
    except OSError:
        return False


def _doc(data: bytes) -> str | None:
    """Word binary via antiword; ``None`` when antiword is not installed."""
    exe = shutil.which("antiword")
    if exe is None:
        return None
    if not _ole_is_word(data):
        raise ValueError("OLE2 file without a WordDocument stream")
    with tempfile.NamedTemporaryFile(suffix=".doc") as fh:
        fh.write(data)
        fh.flush()
        proc = subprocess.run([exe, "-m", "UTF-8.txt", "-w", "0", fh.name], capture_output=True,
                              timeout=ANTIWORD_TIMEOUT, check=False)
    if proc.returncode != 0:
        raise ValueError(proc.stderr.decode("utf-8", "replace").strip()[:200] or "antiword failed")
    return proc.stdout.decode("utf-8", "replace")


_READERS = {"pdf": _pdf, "docx": _docx, "xlsx": _xlsx, "xls": _xls, "ofd": _ofd}


def _tidy(text: str) -> str:
    lines = (re.sub(r"[ \u3000\u00a0]+", " ", ln).strip() for ln in text.replace("\r", "\n").split("\n"))
    return "\n".join(ln for ln in lines if ln)[:MAX_TEXT]


def file_text(data: bytes, url: str = "", name: str = "") -> FileText:
    """Sniff and read one file; never raises (see module docstring)."""
    kind = sniff(data, url, name)
    try:
        if kind in _READERS:
            text = _READERS[kind](data)
        elif kind in ("doc", "wps"):
            got = _doc(data)
            if got is None:
                return FileText(kind, "", "unsupported")
            text = got
        else:
            return FileText(kind, "", "unsupported")
    except Exception as exc:
        msg = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        logger.info("attachment %s (%s) unreadable: %s", url or name, kind, msg)
        return FileText(kind, "", f"error: {msg}")
    text = _tidy(text)
    return FileText(kind, text, "ok" if text else "empty")
