"""Extraction rules as data: selectors, meta names, regexes and thresholds.

Everything the stages match against lives here so that supporting a new CMS
or a new boilerplate phrase is a data change.  Each rule is general: it names
a CMS convention or a phrase used across many government and news sites,
never one page.
"""

from __future__ import annotations

import re
from collections.abc import Callable


def led_by(pattern: str, first: str, flags: int = 0) -> re.Pattern[str]:
    """``pattern`` behind a lookahead on the characters any match starts with.

    Same matches (the lookahead is zero-width and every match starts with one of
    ``first``), found 2-3x faster: the engine skips other positions instead of trying
    every alternative there.  ``tests/test_extract_patterns.py`` checks the equivalence.
    """
    return re.compile(f"(?=[{re.escape(first)}])(?:{pattern})", flags)


def ascii_folded(rx: re.Pattern[str]) -> Callable[[str], bool]:
    """``bool(rx.search(text))`` for an ``IGNORECASE`` pattern, 2-3x faster on ASCII text.

    ASCII text is lower-cased and searched with a case-sensitive lower-case copy of the
    pattern, which matches exactly the same (no upper-case escapes such as ``\\W`` in the
    pattern: checked here); other text goes to ``rx`` itself.
    """
    if re.search(r"\\[A-Z]", rx.pattern) or not rx.flags & re.IGNORECASE:
        raise ValueError(f"cannot fold {rx.pattern[:40]!r}")
    lower = re.compile(rx.pattern.lower(), rx.flags & ~re.IGNORECASE)

    def search(text: str) -> bool:
        if text.isascii():
            return lower.search(text.lower()) is not None
        return rx.search(text) is not None

    return search


# --------------------------------------------------------------------------
# Known CMS containers, tried in order after site selectors.  ``strong``
# containers are trusted when they hold enough text; the ``HINT`` names only
# raise a node's score in the density fallback.
# --------------------------------------------------------------------------
CMS_CONTAINERS: tuple[tuple[str, str], ...] = (
    # name, CSS selector
    ("TRS_Editor", ".TRS_Editor"),           # TRS WCM rich-text body
    ("TRS_UEDITOR", ".TRS_UEDITOR"),         # TRS WCM with UEditor
    ("UCAP-CONTENT", "#UCAP-CONTENT"),       # 开普云 UCAP (gov.cn and many ministries)
    ("wip_art_con", ".wip_art_con"),         # Hanweb JCMS template of the Shandong government site cluster
    ("zoom", "#zoom, #Zoom"),                # Hanweb / many gov portals
    ("js_content", "#js_content"),           # WeChat articles reposted by gov sites
)
# CMS that mark the article body with comments (tried after CMS_CONTAINERS):
# Founder 方正 翔宇 ``<!--enpcontent-->``, Hanweb JCMS ``<!--<$[信息内容]>begin-->``,
# Zhejiang government portals ``<!--ZJEG_RSS.content.begin-->``.
COMMENT_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("enpcontent", re.compile(r"<!--\s*enpcontent\s*-->(.*?)<!--\s*/enpcontent\s*-->", re.DOTALL | re.IGNORECASE)),
    ("hanweb-marker", re.compile(r"<!--\s*<\$\[信息内容\]>\s*begin\s*-->(.*?)<!--\s*<\$\[信息内容\]>\s*end\s*-->",
                                 re.DOTALL | re.IGNORECASE)),
    ("ZJEG_RSS", re.compile(r"<!--\s*ZJEG_RSS\.content\.begin\s*-->(.*?)<!--\s*ZJEG_RSS\.content\.end\s*-->",
                            re.DOTALL | re.IGNORECASE)),
)

# class/id names typical of article bodies (bonus in the density fallback).  Names
# are split into words at ``-``/``_``/digits/camelCase (``article-con`` →
# article, con; ``endText`` → end, text) and a word matches when it is a body
# word (content, con, text, zw 正文, neirong 内容 …), optionally run together with
# a short prefix (newscon, xxgkcont, maincontent), or article/wenzhang 文章.
ATTR_WORD_SPLIT_RE = re.compile(r"[^A-Za-z]+|(?<=[a-z])(?=[A-Z])")
HINT_WORD_RE = re.compile(
    r"^(?!icon$|context$)(?:[a-z]{0,6}?(?:content|contents|con|cont|text|txt|zw|zwnr|zhengwen|neirong|"
    r"detail|details)|article|artical|articles|wenzhang|zhuti)$"
)
# class/id fragments of boxes that are never article text
NEGATIVE_ATTR_RE = re.compile(
    r"share|fenxiang|jiathis|bdsharebuttonbox|relat(?!ive)|xgxw|xgwz|xgyd|xiangguan|recommend|tuijian|tjyd|"
    r"comment|pinglun|pager|pagination|fanye|page[-_]?(nav|box|link)|"
    r"print|dayin|font[-_]?size|zihao|fontsize|copyright|banquan|footer|\bfoot\b|"
    r"breadcrumb|crumb|\bposition\b|\blocation\b|weizhi|dqwz|qrcode|erweima|\bewm\b|"
    r"toolbar|sidebar|advert|\bads?\b|guanggao|hotnews|hot[-_]news|\brank|paihang|"
    r"editor[-_]?name|zrbj|\bzeren|statement|shengming|disclaimer|\btags?\b|"
    r"keyword|gotop|backtop|go[-_]?top|\bnav\b|navbar|subnav|mianze|\bshare\w*|"
    r"collect|shoucang|\bauthor[-_]?info|\bbottom\b|more[-_]?news|read[-_]?more|"
    r"commt|gentie|feedback|jubao|uninterest|(?:^|[\s_-])editor(?:$|[\s_-])|"
    r"(?<![a-z])side|(?<!in)(?<!out)side(?:bar|box|nav)?(?![a-z])",
    re.IGNORECASE,
)
# Page regions named by class/id (the pre-HTML5 ``aside``/``footer``): the density
# fallback never picks a node inside one.  (评论/comment is not here: it also names
# editorial-commentary columns; it only lowers the score, via NEGATIVE_ATTR_RE.)
REGION_ATTR_RE = re.compile(
    r"(?<![a-z])side|(?<!in)(?<!out)side(?:bar|box|nav)?(?![a-z])|footer|\bfoot\b|"
    r"gentie|relat(?!ive)|xgxw|xgwz|xgyd|xiangguan",
    re.IGNORECASE,
)
# Classes that look negative but are article bodies.
POSITIVE_OVERRIDE_RE = re.compile(
    r"TRS_Editor|TRS_UEDITOR|wip_art_con|Custom_UnionStyle|editor[-_]?(?:content|body|text|con)\b|ueditor",
    re.IGNORECASE,
)

NEGATIVE_ATTR = ascii_folded(NEGATIVE_ATTR_RE)
REGION_ATTR = ascii_folded(REGION_ATTR_RE)
POSITIVE_OVERRIDE = ascii_folded(POSITIVE_OVERRIDE_RE)

# Tags removed before anything else.
JUNK_TAGS = (
    "script", "style", "noscript", "iframe", "form", "select", "option", "button", "textarea",
    "input", "object", "embed", "svg", "canvas", "template", "link", "meta", "head", "map",
    "audio", "video", "nav", "footer", "aside",
)
BLOCK_TAGS = frozenset(
    ["address", "article", "aside", "blockquote", "center", "dd", "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "thead", "tfoot", "td", "th", "tr", "ul", "caption", "form", "body", "html"]
)
HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

# Candidate container tags for the density fallback.
DENSITY_TAGS = frozenset(["div", "td", "article", "section", "main", "span", "em", "font", "center", "p"])

# --------------------------------------------------------------------------
# Density thresholds
# --------------------------------------------------------------------------
_SENTENCE_PUNCT = r"[，。！？；、]|(?<=[\u4e00-\u9fff])[,;!?](?!\d)"
SENTENCE_PUNCT_RE = led_by(_SENTENCE_PUNCT, "，。！？；、,;!?")
MIN_CONTAINER_CHARS = 40          # a CMS container with less text is ignored
LINK_PENALTY = 1.6                # weight of link text in the density score
LINK_BOX_PENALTY = 0.5           # ... of link text inside a link list (a box prune() removes)
HINT_ATTR_FACTOR = 1.15           # score bonus for article-like class/id names (innermost only)
NEGATIVE_ATTR_FACTOR = 0.6        # score malus for widget-like class/id names
SHORT_TEXT_WEIGHT = 0.25          # weight of text without sentence punctuation
SHORT_TEXT_LEN = 25               # text nodes this long count fully anyway
BOX_LINK_DENSITY = 0.5            # prune a sub-box with more link text than this
BOX_MAX_PUNCT = 3                 # ... unless it has more sentence punctuation than this
BOX_TAGS = ("div", "ul", "ol", "dl", "table", "section")
LINK_LINE_SHARE = 0.9              # a line this much inside <a> is a link line
LINK_LINE_MAX_LEN = 80
DESCEND_RATIO = 0.97              # a descendant this close to the best score is preferred ...
DESCEND_MIN_TEXT_SHARE = 0.8      # ... when it keeps this share of the best node's text

# Links to documents (attachments); Hanweb serves them via downfile.jsp?...&showname=
ATTACHMENT_RE = re.compile(
    r"\.(pdf|docx?|xlsx?|zip|rar|wps|ofd|et|pptx?|7z)(?:$|[?#&])|/module/download/downfile\.jsp",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------
META_FIELDS: dict[str, tuple[str, ...]] = {
    # field -> meta name/property values, lower-case, in priority order
    "title": ("articletitle", "og:title", "twitter:title", "title"),
    "published": ("pubdate", "publishdate", "publishtime", "publish_time", "firstpublishedtime",
                  "article:published_time", "og:release_date", "og:article:published_time",
                  "releasedate", "dc.date", "dc.date.issued", "date", "createdate",
                  "lastmodifiedtime"),
    "source": ("contentsource", "source", "og:article:source", "copysource"),
    "site_name": ("sitename", "og:site_name", "site_name", "application-name"),
    "column": ("columnname", "column", "catalogs_name", "category"),
    "author": ("author", "og:article:author", "article:author"),
    "keywords": ("keywords", "keyword"),
    "description": ("description", "og:description"),
}
# (a hyphen between digits is part of the headline: 2025-2026学年)
TITLE_SPLIT_RE = re.compile(r"\s*(?:_|\||｜|(?<!\d)-{1,2}|-{1,2}(?!\d)|－|—{1,2}|–|::)\s*")
# A <title> that is only an organisation's or a site's name (every page of some sites has it).
SITE_NAME_RE = re.compile(r"^[^，。！？；,!?;：:]{2,30}(?:人民政府|政府|门户网站|网站|网|局|厅|委员会|办公室|中心)$")
# Site logos and banners: a heading there is the site name, not the headline.
LOGO_ATTR_RE = re.compile(r"logo|banner|site[-_]?name|brand", re.IGNORECASE)
HOME_HREF_RE = re.compile(r"^(?=\S)(?:https?://[^/]+)?(?:\.{0,2}/)*(?:index\.\w{2,5}|default\.\w{2,5})?$", re.IGNORECASE)
TITLE_ATTR_RE = re.compile(r"title|biaoti|bt\b|headline|tit\b|detail-h", re.IGNORECASE)

DATE_RE = re.compile(
    r"((?:19|20)\d{2})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?"
)
URL_DATE_RES = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_"),                       # TRS /t20220923_123.html
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),              # Hanweb /art/2026/1/21/
    re.compile(r"/((?:19|20)\d{2})-(\d{2})/(\d{2})/"),                      # /2023-12/01/content_
    re.compile(r"/((?:19|20)\d{2})(\d{2})/(\d{2})/"),                       # /202405/13/
    re.compile(r"/((?:19|20)\d{2})-(\d{2})-(\d{2})/"),                      # /2024-05-16/
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),                        # /20240515/
)
# Info line around the headline: 发布时间：2026-01-21 10:30  来源：山东省人民政府
PUBLISH_LABEL_RE = re.compile(r"(?:发布|发稿|发表|刊发|上传)(?:时间|日期)|发表于|发布于")
INFO_DATE_LABEL_RE = re.compile(r"(?<!成文)(?<!印发)(?:时间|日期|Date)\s*[:：]", re.IGNORECASE)
SOURCE_LABEL_RE = re.compile(
    r"(?:信息来源|文章来源|稿件来源|新闻来源|来源|来自|出处)\s*[:：]\s*"
    r"([^\s|｜<>:：【】\[\]]{2,40}(?:\s[^\s|｜<>:：【】\[\]]{2,20})?)"
)
# (a name never ends in a comma: ``记者：请问，2026年…？`` is a question, not a byline)
AUTHOR_LABEL_RE = re.compile(r"(?:^|(?<=[\s【\[(（|｜]))(?:作者|记者|撰稿|通讯员)\s*[:：]\s*([\u4e00-\u9fff·、，, ]{2,30}?)(?<![，,、])(?=$|\s{2,}|[^\u4e00-\u9fff·、，, ]|\s*(?:来源|编辑|责编|发布|时间|日期|浏览|点击|阅读|字号|访问))(?![？?。！!，,])")
SOURCE_STOP_RE = re.compile(
    r"\s*(?:发布时间|发布日期|时间|日期|作者|记者|编辑|责任编辑|浏览|阅读|点击|访问量|字号|分享|打印|"
    r"(?:19|20)\d{2}[-/.年])"
)

# --------------------------------------------------------------------------
# Line-level boilerplate (boilerplate.py)
# --------------------------------------------------------------------------
# Footer / legal / widget markers that never occur in article text: the line is
# dropped whatever its length.
_FOOTER_LINE = (
    r"ICP\s*[备证]|公网安备|网站标识码|网站识别码|政府网站标识|All\s+rights\s+reserved|"
    r"Copyright\s*(?:©|\(c\)|&copy;)\s*\d{0,4}|Copyright\s+\d{4}|互联网新闻信息服务许可证|新出网证|"
    r"扫一扫在手机|打印本页|打印本稿|关闭窗口|(?:当前|现在|您的|你的|所在)位置\s*[:：]|您(?:当前)?所在的?位置|"
    r"分享到\s*[:：]?|分享至|字号\s*[:：]?\s*[\[【(（]?\s*[大中小]|[【\[]\s*[大中小]\s*[】\]]"
)
FOOTER_LINE_RE = led_by(_FOOTER_LINE, "IACi公网政互新扫打关当现您你所分字【[", re.IGNORECASE)
# Footer labels an article may also use in a sentence (本次活动主办单位为…。):
# dropped only on lines that are not sentences (no 。).
FOOTER_LABEL_RE = re.compile(
    r"版权所有|技术支持\s*[:：]|主办单位|承办单位|协办单位|运行维护单位|维护单位\s*[:：]|主办\s*[:：]|"
    r"承办\s*[:：]|Copyright|联系电话\s*[:：]|邮编\s*[:：]|违法和不良信息举报"
)
# Disclaimers: the phrase plus a word about the site or reposting (未经授权 alone is article text).
DISCLAIMER_RE = re.compile(r"免责声明|郑重声明|版权声明|特别声明|转载请注明|未经授权|禁止转载|不得转载")
DISCLAIMER_CONTEXT_RE = re.compile(r"本站|本网|网站|本平台|本号|转载|出处|观点|立场")
# Short widget / navigation lines: dropped when the whole line is short.
WIDGET_LINE_RE = re.compile(
    r"^(?:[【\[(（]?\s*(?:打印|关闭|纠错|收藏|返回顶部|返回|顶部|打印文章|关闭本页|我要纠错|"
    r"加入收藏|推荐给朋友|微信|微博|QQ空间|手机版|查看原文|阅读原文|点击播放|Play Video|图集|组图|"
    r"查看大图|点击查看大图|点击图片查看大图)\s*[】\])）]?\s*)+$|"
    r"^扫一扫|^\s*(?:上一篇|下一篇|上一页|下一页|上一条|下一条|首页|尾页|末页)\s*[:：]?|"
    r"^[<《«]*\s*(?:\d+\s*)+(?:下一页|>>|»)|^(?:[\[【]\s*\d+\s*[\]】]\s*)+$|^第\s*\d+\s*页|共\s*\d+\s*页|"
    r"^【?\s*(?:责任)?编辑\s*[:：]|"
    r"^(?:阅读|阅读数|阅读量|浏览|浏览量|浏览次数|点击|点击量|推荐|点赞|收藏|评论|跟帖|分享)\s*[(（:：]?\s*\d*\s*[)）]?$|"
    r"^(?:我要跟帖|发表评论|网友评论|我要评论|不感兴趣|已输入\d+字)|"
    r"^(?:请?扫描|扫码|长按|识别)\S{0,12}二维码|^(?:欢迎)?关注\S{0,12}(?:公众号|客户端|微信|微博|APP)|"
    # QR-code captions: 扫码关注… / 长按识别… / “某某发布”微信公众号 (a caption, not a sentence)
    r"^[\[【(（]?\s*(?:请?扫描|扫码|扫一扫|长按)\s*(?:二维码)?\s*(?:关注|识别|下载|订阅)|"
    r"^[^，。！？；,!?;]{0,30}(?:微信公众号|公众号|微信号|官方微博|视频号|抖音号)(?:二维码)?\s*[】\])）]?$",
    re.IGNORECASE,
)
# A line made only of download buttons (pdf下载 word下载, 【全文下载】); never a sentence.
DOWNLOAD_BAR_RE = re.compile(
    r"^(?:[【\[(（]?\s*(?:pdf|word|wps|ofd|docx?|txt|excel|全文|正文|原文)\s*(?:版|格式)?\s*下载\s*[】\])）]?"
    r"\s*[|｜/、]?\s*)+$",
    re.IGNORECASE,
)
# Picture/video credits after the text: 图文来源：… / （图片来源：…）; not an info line (no 来源 for the source).
MEDIA_CREDIT_RE = re.compile(r"^[\[【(（]?\s*(?:图文|图片|照片|视频|图)\s*(?:来源|提供)\s*[:：]")
MEDIA_CREDIT_MAX_LEN = 60
WIDGET_MAX_LEN = 60
# Headings after which only related links follow: the rest of the content is cut.
TRUNCATE_RE = re.compile(
    r"^[【\[]?\s*(?:延伸阅读|相关稿件|相关链接|相关新闻|相关阅读|相关文章|相关报道|相关附件|推荐阅读|"
    r"热点推荐|热门推荐|更多阅读|往期回顾|猜你喜欢|为你推荐|精彩推荐|更多精彩|阅读排行|点击排行|"
    r"热门文章|最新文章|大家都在看)\s*[】\]]?\s*[:：>》]*\s*$"
)
TRUNCATE_MIN_SHARE = 0.4          # ... only when at least this share of the text came before it
# Editor credits: a whole line, or a bracketed credit ending a line.
CREDIT_LABELS = (
    r"(?:责任编辑|责编|审\s?读|排\s?版|监\s?制|初审编辑|终审编辑|二审编辑|三审编辑|复审编辑|值班编辑|网络编辑|编辑|"
    r"初审|二审|三审|终审|复审|审核|审校|审签|校对|监制|签发|核稿|美编|统筹|主编|制作)"
)
EDITOR_LABELS = r"(?:[\w\u4e00-\u9fff]{0,8}?(?:编辑|责编))"  # 责任编辑, 网络编辑, 松花江网编辑 …
CREDIT_LINE_RE = re.compile(
    r"^[\[【(（]?\s*(?:(?:作者|记者|摄影|摄像|来源|通讯员)\s*[:：]\s*[^\s\]】)）]{0,20}\s*)*"
    # label and colon (a site name may precede 编辑), then names: never a sentence
    r"(?:(?:" + EDITOR_LABELS + "|" + CREDIT_LABELS + r")\s*[:：|｜/][^。！？；!?;]{0,60}$|"
    # 编辑 张三 ｜ 排版 李四 (no colon)
    + EDITOR_LABELS + r"\s+[\u4e00-\u9fff]{2,4}"
    r"(?:\s*[、，,｜|/]?\s*(?:" + CREDIT_LABELS + r"\s*)?[\u4e00-\u9fff]{2,4})*\s*[\]】)）]?\s*$)"
)
CREDIT_MAX_LEN = 80
_CREDIT_NAMES = r"[\u4e00-\u9fff·]{2,4}(?:\s*[、，,/|｜]?\s*(?:" + CREDIT_LABELS + r"\s*[:：]?\s*)?[\u4e00-\u9fff·]{2,4}){0,5}"
CREDIT_TAIL_RE = re.compile(
    # bracketed: （责任编辑：周雁） / （编辑 赵强 审核 孙立）
    r"[\[【(（]\s*(?:[^\]】)）\n]{0,20}\s)?" + CREDIT_LABELS + r"(?:\s*[:：]|\s)[^\]】)）\n]{0,40}[\]】)）]\s*$|"
    # bare, after the last sentence (a credit span on the same line): …一片。责任编辑：王晓燕
    r"(?<=[。！？!?”」』])\s*(?:" + EDITOR_LABELS + "|" + CREDIT_LABELS + r")\s*[:：]\s*" + _CREDIT_NAMES + r"\s*$"
)
NAME_SPLIT_RE = re.compile(r"[、，,/;；|｜\s]+")
# Info lines near the headline: 来源：… 发布时间：… 浏览次数：…
INFO_LABEL_RE = re.compile(
    r"(?:来源|信息来源|文章来源|稿件来源|发布时间|发布日期|发稿时间|更新时间|时间|日期|作者|"
    r"浏览次数|浏览量|访问量|点击数|点击量|阅读数|阅读量|字号)\s*[:：]"
)
INFO_START_RE = re.compile(
    r"^[\[【(（]?\s*(?:来源|信息来源|文章来源|稿件来源|发布时间|发布日期|发稿时间|更新时间|"
    r"浏览次数|浏览量|访问量|点击数|点击量|阅读数|阅读量|字号|" + r"索引号|发文字号|成文日期|主题分类|发布机构|"
    r"发文机关|公开方式|公开范围|有效性|文\s?号|主\s?题\s?词)\s*[:：|｜]"
)
# Repost tails: 本文来源：… / 本文来自大众新闻APP (info lines at any position).
REPOST_TAIL_RE = re.compile(r"^[\[【(（]?\s*(?:本文来源|本文来自|文章来源于|本文转自|转载自)")
# 时间：/日期： lines are info lines only above the article (a notice lists 时间：… 地点：… as content).
INFO_TOP_START_RE = re.compile(r"^[\[【(（]?\s*(?:时间|日期)\s*[:：]")
# Government information-disclosure (信息公开) metadata boxes above policy documents.
XXGK_LABEL_RE = re.compile(r"索引号|发文字号|成文日期|主题分类|发布机构|发文机关|公开方式|有效性|组配分类|发布日期|体裁分类")
XXGK_BOX_MAX_CHARS = 400
# Tail junk glued to the last paragraph.
TAIL_JUNK_RE = re.compile(r"\s*(?:返回\S{0,8}首页|返回顶部|返回列表)\s*[>》»]*\s*$")
# Menu-like lists: many short unpunctuated items (feedback menus, tag clouds).
MENU_MIN_ITEMS = 4
MENU_ITEM_MAX_LEN = 15
MENU_TAIL_SHARE = 0.3             # ... pruned only when less than this share of the text follows it
INFO_MAX_LEN = 100
# Lines made only of symbols (stray separators, arrows).
SYMBOL_LINE_RE = re.compile(r"^[\W_\d]{1,6}$")
# An info line that starts with the date: ``2022.01.20 16:31 来源：河南日报客户端``.
DATE_LED_RE = re.compile(
    r"^\s*(?:19|20)\d{2}\s*(?:年|[-/.])\s*\d{1,2}\s*(?:月|[-/.])\s*\d{1,2}\s*日?"
    r"(?:\s*\d{1,2}\s*[:：]\s*\d{1,2}(?:\s*[:：]\s*\d{1,2})?)?\s*(?P<rest>[^，。！？；,!?;]{0,50})$"
)
DATE_LED_LABEL_RE = re.compile(r"来源|作者|编辑|发布|浏览|阅读|点击|字号|记者")
# A dateline written out in words (``2026年4月8日``, ``…上午``, ``…（星期三）``) without a time is
# content (a transcript's, speech's or notice's dateline), not the page's info line.
DATELINE_RE = re.compile(
    r"^\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:上午|下午|晚上|早上|中午)?"
    r"\s*(?:[（(]?\s*(?:星期|周)[一二三四五六日天]\s*[)）]?)?\s*$"
)
DECK_MAX_KICKERS = 2              # short kicker lines (引题) allowed above a repeated headline deck
# Headline deck at the top of the content: subtitle lines are short and unpunctuated.
DECK_EXTRA_CHARS = 6              # ``…座谈会强调``: words allowed after the repeated headline
DECK_MAX_SUBTITLES = 3
# (a line ending in a colon is an addressee or a speaker label: 各省、自治区…： / 主持人：)
DECK_LINE_RE = re.compile(r"^[^。！？；，,.!?;]{2,40}(?<![:：])$")
SUBTITLE_DASH_RE = re.compile(r"^\s*(?:—{1,2}|-{2}|－{1,2})")
BYLINE_RE = re.compile(r"记者|通讯员|摄影?|报道|执笔|撰文|编译|作者|^文\s*[/｜|:：]|[电讯]$|^\(|^（|\d{4}|[年月日]")
