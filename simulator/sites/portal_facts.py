"""The facts behind each generated portal (see ``portals.py``); sources in ``docs/simulator.md``.

Evidence files are ``notes/evidence/<slug>.md`` of the 2026-12-01 research pass.  Where a
fact was not found (most column ids of the city portals, footers), the value is the
simulator's own and ``docs/simulator.md`` says so; footers of unverified sites carry
placeholder numbers ending in 0000 so nobody mistakes them for real ones.
"""

from __future__ import annotations

from .portals import PCol, Portal


def _footer(owner: str, code: str, icp: str) -> tuple[str, ...]:
    return (f"主办单位：{owner}", f"网站标识码：{code}　{icp}", "版权所有：" + owner)


PORTALS: tuple[Portal, ...] = (
    # 鲁网 权威发布: the best-documented host of the provincial press office's conferences
    # (sd_scio.md: gov.sdnews.com.cn/qwfb/fbhsl/ 发布实录, /qwfb/sdyw/; TRS t-date, TRS_Editor).
    Portal("sd_scio", "gov.sdnews.com.cn", "https", "鲁网·权威发布", "trs", "山东省", "山东省人民政府新闻办公室",
           (PCol("发布实录", "发布会实录", "/qwfb/fbhsl/"), PCol("山东要闻", "要闻", "/qwfb/sdyw/")),
           title_suffix="_鲁网", body='div class="TRS_Editor"', headline='<h1 class="bt">{}</h1>',
           metas=("ArticleTitle", "PubDate", "ContentSource"), ext="html",
           footer=_footer("山东鲁网传媒有限公司", "SIM0000000", "鲁ICP备00000000号")),
    Portal("sd_zibo", "www.zibo.gov.cn", "https", "淄博市人民政府", "hanweb_classic", "淄博市", "淄博市人民政府新闻办公室",
           (PCol("淄博要闻", "要闻", "/col/col18392/index.html", 18392, 100001),
            PCol("新闻发布会", "新闻发布会", "/col/col18390/index.html", 18390, 100002, "datastore")),
           title_suffix="_淄博市人民政府", body='div id="details-content"', chrome="script",
           footer=_footer("淄博市人民政府办公室", "3703000000", "鲁ICP备00000000号")),
    Portal("sd_zaozhuang", "www.zaozhuang.gov.cn", "http", "枣庄市人民政府", "trs", "枣庄市", "枣庄市人民政府新闻办公室",
           (PCol("枣庄要闻", "要闻", "/xwzx/zzyw/"), PCol("新闻发布会", "新闻发布会", "/xwzx/xwfbh/")),
           title_suffix="_枣庄市人民政府", body='div class="zwnr"', headline='<div class="title">{}</div>',
           footer=_footer("枣庄市人民政府办公室", "3704000000", "鲁ICP备00000000号")),
    Portal("sd_dongying", "www.dongying.gov.cn", "http", "东营市人民政府", "hanweb_classic", "东营市", "东营市人民政府新闻办公室",
           (PCol("东营要闻", "要闻", "/col/col38804/index.html", 38804, 200001),
            PCol("新闻发布会", "新闻发布会", "/col/col38810/index.html", 38810, 200002)),
           title_suffix="_东营市人民政府", body='div class="article-content"',
           footer=_footer("东营市人民政府办公室", "3705000000", "鲁ICP备00000000号")),
    Portal("sd_yantai", "www.yantai.gov.cn", "https", "烟台市人民政府", "hanweb_jpaas", "烟台市", "烟台市人民政府新闻办公室",
           (PCol("今日烟台", "要闻", "/col/col11748/index.html", 11748, 300001, "jpaas_unit"),
            PCol("新闻发布会", "新闻发布会", "/col/col11790/index.html", 11790, 300002, "jpaas_unit")),
           title_suffix="_烟台市人民政府", extra={"webid": 101},
           footer=_footer("烟台市人民政府办公室", "3706000000", "鲁ICP备00000000号")),
    Portal("sd_weifang", "www.weifang.gov.cn", "http", "潍坊市人民政府", "trs", "潍坊市", "潍坊市人民政府新闻办公室",
           (PCol("潍坊要闻", "要闻", "/xwzx/wfyw/"), PCol("新闻发布会", "新闻发布会", "/xwzx/xwfb/")),
           title_suffix="_潍坊市人民政府", body='div class="TRS_Editor"', ext="htm",
           footer=_footer("潍坊市人民政府办公室", "3707000000", "鲁ICP备00000000号")),
    Portal("sd_jining", "www.jining.gov.cn", "https", "济宁市人民政府", "hanweb_classic", "济宁市", "济宁市人民政府新闻办公室",
           (PCol("济宁要闻", "要闻", "/col/col33401/index.html", 33401, 400001),
            PCol("新闻发布会", "新闻发布会", "/col/col33403/index.html", 33403, 400002, "datastore")),
           title_suffix="_济宁市人民政府", body='div id="zoom"', chrome="iframe",
           footer=_footer("济宁市人民政府办公室", "3708000000", "鲁ICP备00000000号")),
    Portal("sd_taian", "www.taian.gov.cn", "https", "泰安市人民政府", "hanweb_classic", "泰安市", "泰安市人民政府新闻办公室",
           (PCol("泰安要闻", "要闻", "/col/col45601/index.html", 45601, 500001),
            PCol("新闻发布会", "新闻发布会", "/col/col45609/index.html", 45609, 500002)),
           title_suffix="_泰安市人民政府", body='div id="zoom"', wechat=1,
           footer=_footer("泰安市人民政府办公室", "3709000000", "鲁ICP备00000000号")),
    Portal("sd_weihai", "www.weihai.gov.cn", "https", "威海市人民政府", "hanweb_classic", "威海市", "威海市人民政府新闻办公室",
           (PCol("威海要闻", "要闻", "/col/col102604/index.html", 102604, 600001),
            PCol("新闻发布会", "新闻发布会", "/col/col102610/index.html", 102610, 600002)),
           title_suffix="_威海市人民政府", body='div class="art_con"', headline='<div class="top"><h1>{}</h1></div>',
           footer=_footer("威海市人民政府办公室", "3710000000", "鲁ICP备00000000号")),
    Portal("sd_rizhao", "www.rizhao.gov.cn", "http", "日照市人民政府", "hanweb_classic", "日照市", "日照市人民政府新闻办公室",
           (PCol("日照要闻", "要闻", "/col/col39601/index.html", 39601, 700001),
            PCol("新闻发布会", "新闻发布会", "/col/col39610/index.html", 39610, 700002)),
           title_suffix="_日照市人民政府", body='div id="a"', nested=True,
           footer=_footer("日照市人民政府办公室", "3711000000", "鲁ICP备00000000号")),
    Portal("sd_linyi", "www.linyi.gov.cn", "http", "临沂市人民政府", "vsb", "临沂市", "临沂市人民政府新闻办公室",
           (PCol("临沂要闻", "要闻", "/xwzx/lyyw.htm", 1021), PCol("新闻发布会", "新闻发布会", "/xwzx/xwfbh.htm", 1024)),
           title_suffix="-临沂市人民政府", body='div id="vbs_content"', wechat=2, metas=("description",),
           footer=_footer("临沂市人民政府办公室", "3713000037", "鲁ICP备00000000号")),
    Portal("sd_dezhou", "www.dezhou.gov.cn", "http", "德州市人民政府", "ncontent", "德州市", "德州市人民政府新闻办公室",
           (PCol("德州要闻", "要闻", "/n1403/n38391604/n38391611/index.html"),
            PCol("新闻发布会", "新闻发布会", "/n1403/n38391604/n38391620/index.html")),
           title_suffix="_德州市人民政府", body='div id="con_con"', headline='<div class="bt">{}</div>',
           footer=_footer("德州市人民政府办公室", "3714000000", "鲁ICP备00000000号")),
    Portal("sd_liaocheng", "www.liaocheng.gov.cn", "http", "聊城市人民政府", "channel_doc", "聊城市", "聊城市人民政府新闻办公室",
           (PCol("聊城要闻", "要闻", "/channel_5c8a6f2e1d4b3a0f9e7c2b11/index.html"),
            PCol("新闻发布会", "新闻发布会", "/channel_5c8a6f2e1d4b3a0f9e7c2b19/index.html")),
           title_suffix="_聊城市人民政府", body='div id="Zoom"', chrome="script",
           footer=_footer("聊城市人民政府办公室", "3715000000", "鲁ICP备00000000号")),
    Portal("sd_binzhou", "www.binzhou.gov.cn", "http", "滨州市人民政府", "hanweb_classic", "滨州市", "滨州市人民政府新闻办公室",
           (PCol("滨州要闻", "要闻", "/col/col12501/index.html", 12501, 800001),
            PCol("新闻发布会", "新闻发布会", "/col/col12509/index.html", 12509, 800002)),
           title_suffix="_滨州市人民政府", body='div class="newsconParse"', credits_outside=True,
           footer=_footer("滨州市人民政府办公室", "3716000000", "鲁ICP备00000000号")),
    Portal("sd_heze", "www.heze.gov.cn", "http", "菏泽市人民政府", "hanweb_jpaas", "菏泽市", "菏泽市人民政府新闻办公室",
           (PCol("菏泽要闻", "要闻", "/col/col4601/index.html", 4601, 900001, "datacall"),
            PCol("新闻发布会", "新闻发布会", "/col/col4609/index.html", 4609, 900002, "datacall")),
           title_suffix="_菏泽市人民政府", extra={"webid": 17},
           footer=_footer("菏泽市人民政府办公室", "3717000000", "鲁ICP备00000000号")),
    # Other provinces, one per platform.
    Portal("gd_province", "www.gd.gov.cn", "https", "广东省人民政府门户网站", "gkmlpt", "广东省", "广东省人民政府新闻办公室",
           (PCol("广东要闻", "要闻", "/gdywdt/gdyw/index.html"),
            PCol("新闻发布会", "新闻发布会", "/gkmlpt/api/all/2761?page=1&sid=2", 2761, 0, "gkmlpt_api")),
           title_suffix=" 广东省人民政府门户网站", body='div class="zw"', headline='<h3 class="zw-title">{}</h3>',
           metas=("description",),
           footer=_footer("广东省人民政府办公厅", "4400000000", "粤ICP备00000000号")),
    Portal("zj_province", "www.zj.gov.cn", "https", "浙江省人民政府", "hanweb_jpaas", "浙江省", "浙江省人民政府新闻办公室",
           (PCol("浙江要闻", "要闻", "/col/col1554467/index.html", 1554467, 7388415, "jpaas_unit"),
            PCol("新闻发布会", "新闻发布会", "/col/col1554475/index.html", 1554475, 7388420, "jpaas_unit")),
           title_suffix="_浙江省人民政府", metas=("ArticleTitle", "PubDate", "ContentSource", "ColumnName"),
           extra={"webid": 3096},
           footer=_footer("浙江省人民政府办公厅", "3300000000", "浙ICP备00000000号")),
    Portal("hb_province", "www.hubei.gov.cn", "https", "湖北省人民政府门户网站", "trs", "湖北省", "湖北省人民政府新闻办公室",
           (PCol("湖北要闻", "要闻", "/zwgk/hbyw/hbywqb/"), PCol("新闻发布会", "新闻发布会", "/hbfb/xwfbh/")),
           title_suffix=" - 湖北省人民政府门户网站", body='div class="hbgov-article-content"', headline="<h1>{}</h1>",
           extra={"pager": "hubei", "press_detail": "hubei"},
           footer=_footer("湖北省人民政府办公厅", "4200000000", "鄂ICP备00000000号")),
)
