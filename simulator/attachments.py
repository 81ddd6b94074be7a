"""Attached files the simulator serves: real small PDF, DOCX, XLSX and OFD files.

With ``Simulator(attachments=True)`` (the demo turns it on) every site gets two
more articles at start-up (``FILE_ARTICLES``): a notice whose real content is in
three attached files, and an attachment-only notice whose page says nothing but
the file's name. The files are built here, byte by byte, from the texts in this
module (no library: the crawl's readers must cope with files they did not
write), and served at ``/attach/<yyyymm>/<hash>.<ext>``, a path robots.txt
allows. ``FILE_TEXTS`` is the truth: the text each file holds.
"""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .server import Simulator

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SimFile:
    showname: str
    lines: tuple[str, ...]
    table: tuple[tuple[str, ...], ...] = ()

    @property
    def kind(self) -> str:
        return self.showname.rsplit(".", 1)[-1].lower()


PLAN = SimFile("2026年度城市更新重点项目计划.pdf", (
    "2026年度城市更新重点项目计划",
    "一、老旧小区改造：全年改造老旧小区一百二十个，惠及居民三万余户。",
    "二、城中村改造：启动城中村改造项目八个，同步建设安置住房。",
    "三、完整社区建设：新建完整社区试点二十个，补齐养老托育设施。",
))
GUIDE = SimFile("项目申报指南.docx", (
    "项目申报指南",
    "申报单位应于规定时间内通过政务服务平台提交申报材料。",
    "材料包括项目建议书、可行性研究报告和资金筹措方案。",
), (("材料名称", "份数"), ("项目建议书", "一式三份"), ("资金筹措方案", "一式两份")))
BUDGET = SimFile("资金安排表.xlsx", ("资金安排表",), (
    ("项目", "市级资金（万元）", "区级资金（万元）"),
    ("老旧小区改造", "12000", "8000"),
    ("完整社区建设", "3500", "2100"),
))
ROSTER = SimFile("第三批历史文化街区名单.ofd", (
    "第三批历史文化街区名单",
    "芙蓉街—百花洲历史文化街区、将军庙历史文化街区、上新街历史文化街区。",
))

FILE_ARTICLES: tuple[tuple[str, list[str], tuple[SimFile, ...], str], ...] = (
    ("关于做好2026年度城市更新项目申报工作的通知",
     ["各区县人民政府，市直有关部门：", "现将2026年度城市更新项目申报有关事项通知如下，请认真组织申报。"],
     (PLAN, GUIDE, BUDGET), "2026-04-08 10:00"),
    ("关于公布第三批历史文化街区名单的通知", [], (ROSTER,), "2026-04-09 15:30"),
)


MULTI_PAGE: tuple[str, tuple[tuple[str, ...], ...], str] = (
    "全市城市更新工作推进会召开",
    (("4月10日，全市城市更新工作推进会召开，会议回顾了一季度工作进展，部署下一阶段重点任务。",
      "会议指出，城市更新是推动城市高质量发展的重要抓手，各区县要切实增强紧迫感和责任感。"),
     ("会议要求，要聚焦老旧小区改造、城中村改造等重点任务，加快项目前期手续办理，确保按期开工。",),
     ("会议强调，要加强统筹协调，定期调度重点项目进展，确保各项任务落地见效。",)),
    "2026-04-10 09:00",
)
"""A three-page article (分页): page n links page n + 1 as ``<stem>_<n + 1><ext>`` with 下一页."""


def file_text(f: SimFile) -> str:
    """The text the file holds, lines joined by newlines (table rows tab-separated)."""
    return "\n".join([*f.lines, *("\t".join(r) for r in f.table)])


# -- builders ------------------------------------------------------------------------------
def build_pdf(lines: tuple[str, ...] | list[str]) -> bytes:
    """A one-page PDF whose text is ``lines``: a Type0 font with Identity-H codes (UTF-16BE
    code units) and a ToUnicode map, so text extraction gets the characters back."""
    chars = sorted({c for line in lines for c in line if ord(c) < 0x10000})
    ops = ["BT", "/F1 12 Tf", "56 780 Td"]
    for i, line in enumerate(lines):
        if i:
            ops.append("0 -20 Td")
        ops.append("<" + "".join(f"{ord(c):04X}" for c in line if ord(c) < 0x10000) + "> Tj")
    ops.append("ET")
    content = "\n".join(ops)
    bfchars = []
    for k in range(0, len(chars), 100):
        chunk = chars[k:k + 100]
        bfchars.append(f"{len(chunk)} beginbfchar\n"
                       + "\n".join(f"<{ord(c):04X}> <{ord(c):04X}>" for c in chunk) + "\nendbfchar")
    cmap = ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            + "\n".join(bfchars) + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content.encode())} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        "/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        "/FontDescriptor 8 0 R /DW 1000 >>",
        f"<< /Length {len(cmap.encode())} >>\nstream\n{cmap}\nendstream",
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -200 1000 900] "
        "/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 >>",
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{obj}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def _zip(parts: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 4, 8, 10, 0, 0)), text)
    return buf.getvalue()


_CT = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def build_docx(lines: tuple[str, ...] | list[str], table: tuple[tuple[str, ...], ...] = ()) -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    paras = "".join(f"<w:p><w:r><w:t>{escape(t)}</w:t></w:r></w:p>" for t in lines)
    rows = "".join("<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{escape(c)}</w:t></w:r></w:p></w:tc>" for c in r)
                   + "</w:tr>" for r in table)
    tbl = f"<w:tbl>{rows}</w:tbl>" if table else ""
    return _zip({
        "[Content_Types].xml": _CT + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": _CT + f'<Relationships xmlns="{_PKG_RELS}"><Relationship Id="rId1" '
        f'Type="{_DOC_REL}/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": _CT + f'<w:document xmlns:w="{w}"><w:body>{paras}{tbl}</w:body></w:document>',
    })


def _col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def build_xlsx(title: str, table: tuple[tuple[str, ...], ...]) -> bytes:
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rows = []
    for r, row in enumerate(table, 1):
        cells = []
        for c, v in enumerate(row):
            ref = f"{_col(c)}{r}"
            if v.isdigit():
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(v)}</t></is></c>')
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    return _zip({
        "[Content_Types].xml": _CT + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": _CT + f'<Relationships xmlns="{_PKG_RELS}"><Relationship Id="rId1" '
        f'Type="{_DOC_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": _CT + f'<workbook xmlns="{ns}" xmlns:r="{_DOC_REL}"><sheets>'
        f'<sheet name="{escape(title)}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": _CT + f'<Relationships xmlns="{_PKG_RELS}"><Relationship Id="rId1" '
        f'Type="{_DOC_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": _CT + f'<worksheet xmlns="{ns}"><sheetData>{"".join(rows)}</sheetData></worksheet>',
    })


def build_ofd(lines: tuple[str, ...] | list[str]) -> bytes:
    ns = "http://www.ofdspec.org/2016"
    objs = "".join(f'<ofd:TextObject ID="{i + 10}" Boundary="10 {20 + 10 * i} 180 8" Font="1" Size="4">'
                   f'<ofd:TextCode X="0" Y="6">{escape(t)}</ofd:TextCode></ofd:TextObject>'
                   for i, t in enumerate(lines))
    return _zip({
        "OFD.xml": _CT + f'<ofd:OFD xmlns:ofd="{ns}" Version="1.0" DocType="OFD"><ofd:DocBody>'
        "<ofd:DocInfo><ofd:DocID>govpress-simulator</ofd:DocID></ofd:DocInfo>"
        "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        "Doc_0/Document.xml": _CT + f'<ofd:Document xmlns:ofd="{ns}"><ofd:CommonData><ofd:MaxUnitID>99'
        '</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>'
        '</ofd:CommonData><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>'
        "</ofd:Document>",
        "Doc_0/Pages/Page_0/Content.xml": _CT + f'<ofd:Page xmlns:ofd="{ns}"><ofd:Content><ofd:Layer ID="2">'
        f"{objs}</ofd:Layer></ofd:Content></ofd:Page>",
    })


def build(f: SimFile) -> tuple[bytes, str]:
    """The file's bytes and its Content-Type."""
    if f.kind == "pdf":
        return build_pdf([*f.lines, *("  ".join(r) for r in f.table)]), "application/pdf"
    if f.kind == "docx":
        return build_docx(f.lines, f.table), \
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if f.kind == "xlsx":
        return build_xlsx(f.lines[0] if f.lines else "Sheet1", f.table), \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if f.kind == "ofd":
        return build_ofd([*f.lines, *("  ".join(r) for r in f.table)]), "application/ofd"
    raise ValueError(f"simulator cannot build a .{f.kind} file")


# -- serving -------------------------------------------------------------------------------
class FileStore:
    """``(host, path) -> (bytes, content type)`` for the attached files."""

    def __init__(self) -> None:
        self.files: dict[tuple[str, str], tuple[bytes, str]] = {}
        self.truth: dict[str, str] = {}
        """Absolute file URL -> the text it holds."""
        self.pages: dict[str, list[str]] = {}
        """URL of a multi-page article's page 1 -> every paragraph of all its pages."""

    def serve(self, host: str, path: str) -> tuple[bytes, str] | None:
        return self.files.get((host, path))


def install(sim: Simulator) -> FileStore:
    """Add ``FILE_ARTICLES`` to every site, with their files; returns the file store."""
    store = FileStore()
    for slug in sorted({a.slug for a in sim.articles()}):
        column = sim.articles(slug)[-1].column  # the newest article's column
        for title, paras, files, published in FILE_ARTICLES:
            links = []
            for f in files:
                digest = hashlib.sha1(f"{slug}|{title}|{f.showname}".encode()).hexdigest()[:16]
                when = datetime.fromisoformat(published)
                links.append((f.showname, f"/attach/{when:%Y%m}/{digest}.{f.kind}"))
            lines = list(paras) + [f"附件{i + 1}：{name}" if len(files) > 1 else f"附件：{name}"
                                   for i, (name, _) in enumerate(links)]
            art = sim.add_article(slug, column, title, lines, published + ":00+08:00",
                                  files=tuple((len(paras) + i, name, path) for i, (name, path) in enumerate(links)))
            for f, (_, path) in zip(files, links):
                store.files[(art.host, path)] = build(f)
                u = urlsplit(art.url)
                store.truth[f"{u.scheme}://{u.netloc}{path}"] = file_text(f)
        _install_pages(sim, store, slug, column)
    logger.debug("simulator: %d attached files and pages", len(store.files))
    return store


def _install_pages(sim: Simulator, store: FileStore, slug: str, column: str) -> None:
    """``MULTI_PAGE`` on one site: page 1 is a listed article, pages 2… are served from here,
    all rendered by the site's own template; page n ends with a 下一页 link to page n + 1."""
    from dataclasses import replace

    title, parts, published = MULTI_PAGE
    art = sim.add_article(slug, column, title, list(parts[0]), published + ":00+08:00")
    stem, _, ext = art.path.rpartition(".")
    app = sim._apps[slug]
    for n, paras in enumerate(parts, 1):
        files = ((len(paras), "下一页", f"{stem}_{n + 1}.{ext}"),) if n < len(parts) else ()
        page_art = replace(art, paragraphs=[*paras, *(["下一页"] if files else [])], files=files)
        if n == 1:
            with sim._store.lock:  # page 1 (listed, served by the store) links page 2
                sim._store._articles[art.url] = page_art
        else:
            page = app.render_article(page_art)
            store.files[(art.host, f"{stem}_{n}.{ext}")] = (page.body, page.content_type)
    store.pages[art.url] = [p for part in parts for p in part]
