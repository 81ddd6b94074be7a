"""The line-level boilerplate filter: what is dropped, what is kept."""

from __future__ import annotations

import pytest

from pipelines.extract.boilerplate import (
    credit_names,
    drop_link_lines,
    filter_lines,
    strip_headline,
)

ARTICLE = [
    "2026年1月21日上午，山东省人民政府新闻办公室举行省政府政策例行吹风会，并回答记者提问。",
    "山东广播电视台记者：",
    "《实施意见》提出，强化城中村、城乡结合部等特殊区域治理。请问，将采取哪些举措？",
    "高本伟：省委社会工作部认真贯彻落实党中央关于城市工作的决策部署，坚持问题导向。",
]


@pytest.mark.parametrize("line", [
    "鲁ICP备19024540号 鲁公网安备 37010202000111号",
    "中共山东省委宣传部 All rights reserved",
    "技术支持:山东省互联网传媒集团",
    "主办单位：山东省人民政府办公厅 承办单位：山东省大数据中心",
    "网站标识码：3700000063",
    "【打印本页】 【关闭窗口】",
    "分享到：",
    "字号：[ 大 中 小 ]",
    "当前位置：首页 > 要闻动态 > 山东要闻",
    "扫一扫在手机打开当前页",
    "上一篇：全省住房城乡建设工作会议召开",
    "下一篇：我省公布第二批城市更新试点名单",
    "[1] [2] [3] [4]",
    "本文来源：上海证券报·中国证券网",
    "本文来自大众新闻APP",
    "本文来自大众新闻客户端山东频道，欢迎下载大众新闻客户端阅读更多本地新闻、政务信息与便民服务资讯内容，了解山东各地最新动态与权威发布信息",
    "发布时间：2026-01-21 10:30 来源：山东省人民政府",
    "来源：新华社",
    "2022.01.20 16:31 来源：河南日报客户端",
    "阅读数(15878）",
])
def test_boilerplate_lines_are_dropped(line: str) -> None:
    res = filter_lines(ARTICLE[:2] + [line] + ARTICLE[2:])
    assert res.lines == ARTICLE, line


@pytest.mark.parametrize("line", [
    "（山东省人民政府新闻办公室）",
    "（大众日报客户端记者 薄克国 报道）",
    "原标题：国务院联防联控机制印发通知",
    "光明日报记者 王建宏 张文攀",
    "中青报·中青网记者 魏其濛 来源：中国青年报",
    "图为山西品牌丝路行（南美站）启动仪式。（刘通摄）",
    "青岛构建新发展格局(五个青岛建设愿景解读)(1)",
    "日照市人民政府办公室",
    "2026年2月27日",
    "中国环境报记者：生态环境质量改善情况如何？",
    "资格审核：申请人提交材料后，由市财政局进行审核。",
    "本次活动由省商务厅主办，共有200余家企业参展。",
])
def test_article_lines_are_kept(line: str) -> None:
    res = filter_lines(ARTICLE + [line])
    assert res.lines == ARTICLE + [line]


@pytest.mark.parametrize("line, names", [
    ("初审编辑:陶云江 窦永浩", ["陶云江", "窦永浩"]),
    ("责任编辑:王逸群", ["王逸群"]),
    ("（责任编辑：周雁）", ["周雁"]),
    ("【编辑:陈海峰】", ["陈海峰"]),
    ("(责编：汤诗瑶、丁涛)", ["汤诗瑶", "丁涛"]),
    ("责任编辑：李曦_NN2587", ["李曦"]),
    ("[作者: 刘满仓 责任编辑: 王强]", ["王强"]),
    ("（松花江网编辑 孙桂芳）", ["孙桂芳"]),
    ("编辑|禤志杰", ["禤志杰"]),
    ("校对：邹 明", ["邹明"]),
])
def test_editor_credits_are_dropped_and_names_collected(line: str, names: list[str]) -> None:
    res = filter_lines(ARTICLE + [line])
    assert res.lines == ARTICLE
    assert res.editors == names
    assert credit_names(line) == names


def test_credit_glued_to_the_last_paragraph_is_cut() -> None:
    res = filter_lines(ARTICLE + ["庭审最后，法庭宣布休庭，择期宣判。（责任编辑：刘光博）"])
    assert res.lines[-1] == "庭审最后，法庭宣布休庭，择期宣判。"
    assert res.editors == ["刘光博"]


@pytest.mark.parametrize("line, kept, names", [
    ("市林业局表示，将加强造林质量检查验收。责任编辑：王晓燕", "市林业局表示，将加强造林质量检查验收。", ["王晓燕"]),
    ("当天共栽植苗木1.5万余株。（编辑 赵强　审核 孙立）", "当天共栽植苗木1.5万余株。", ["赵强", "孙立"]),
    ("会议要求，抓好落实。编辑：张三 校对：李四", "会议要求，抓好落实。", ["张三", "李四"]),
])
def test_credit_after_the_last_sentence_is_cut(line: str, kept: str, names: list[str]) -> None:
    res = filter_lines(ARTICLE + [line])
    assert res.lines == ARTICLE + [kept]
    assert res.editors == names


def test_editing_words_inside_a_sentence_stay() -> None:
    lines = ARTICLE + ["该书由省文联组织编辑，审核工作已于上月完成。", "（审核通过后予以公示）"]
    assert filter_lines(lines).lines == lines


def test_related_links_heading_cuts_the_rest() -> None:
    tail = ["延伸阅读", "全省住房城乡建设工作会议召开，部署全年工作。", "我省公布第二批城市更新试点名单。"]
    assert filter_lines(ARTICLE + tail).lines == ARTICLE
    assert filter_lines(ARTICLE + ["相关新闻："] + tail[1:]).lines == ARTICLE


def test_info_lines_are_handed_to_metadata() -> None:
    res = filter_lines(["发布时间：2026-01-21 10:30 来源：山东省人民政府新闻办公室"] + ARTICLE)
    assert res.lines == ARTICLE
    assert res.info == ["发布时间：2026-01-21 10:30 来源：山东省人民政府新闻办公室"]


def test_headline_deck_is_stripped() -> None:
    title = "全国人民代表大会常务委员会关于批准财政部发行特别国债购买外汇的决议"
    split = ["全国人民代表大会常务委员会", "关于批准财政部发行特别国债购买外汇的决议", "（2007年6月29日通过）"]
    assert strip_headline(split + ARTICLE, title)[0] == ["（2007年6月29日通过）"] + ARTICLE
    deck = ["习近平主持召开座谈会强调", "推动长三角一体化发展取得新的重大突破", "李强蔡奇出席"]
    assert strip_headline(deck + ARTICLE, "习近平主持召开座谈会")[0] == ARTICLE
    # a byline after the headline is not a subtitle
    assert strip_headline(["习近平主持召开座谈会", "新华社记者 张三"] + ARTICLE, "习近平主持召开座谈会")[0] \
        == ["新华社记者 张三"] + ARTICLE
    # text that merely starts like the headline stays
    assert strip_headline(ARTICLE, "2026年1月21日上午")[0] == ARTICLE
    # after a plain repeated headline a short line is a caption or a label, not a subtitle ...
    assert strip_headline(["某镇开展防汛应急演练", "演练现场"] + ARTICLE, "某镇开展防汛应急演练")[0] \
        == ["演练现场"] + ARTICLE
    # ... unless it starts with a dash (——访…)
    assert strip_headline(["某镇开展防汛应急演练", "——访某镇党委书记"] + ARTICLE, "某镇开展防汛应急演练")[0] == ARTICLE
    # an addressee or speaker line ending in a colon is never a subtitle, even after a running-on deck
    assert strip_headline(["习近平主持召开座谈会强调", "主持人："] + ARTICLE, "习近平主持召开座谈会")[0] \
        == ["主持人："] + ARTICLE


def test_link_lines_dropped_at_edges_and_in_runs_but_a_lone_linked_subheading_stays() -> None:
    items = [("点击进入“文艺星青年”>>", 1.0), (ARTICLE[0], 0.0), ("证监会：继续推进长期资金入市", 1.0),
             (ARTICLE[2], 0.1), ("威海启动伏季休渔执法专项行动", 1.0), ("荣成获评全国休闲渔业示范基地", 1.0),
             (ARTICLE[3], 0.0), ("返回首页", 1.0)]
    kept = [t for t, _ in drop_link_lines(items)]
    assert kept == [ARTICLE[0], "证监会：继续推进长期资金入市", ARTICLE[2], ARTICLE[3]]


def test_stray_symbols_at_the_edges_go() -> None:
    assert filter_lines([","] + ARTICLE + ["+1", "|"]).lines == ARTICLE


def test_footer_words_inside_sentences_are_article_text() -> None:
    lines = ARTICLE + ["本次活动主办单位为山东省商务厅，承办单位为济南市商务局，共有200余家企业参展。",
                       "未经授权擅自使用他人商标的行为，将依法予以查处。"]
    assert filter_lines(lines).lines == lines
    # the same words on a short footer line go
    assert filter_lines(ARTICLE + ["主办单位：山东省商务厅"]).lines == ARTICLE


def test_time_and_place_lines_of_a_notice_are_kept() -> None:
    notice = ["现将有关事项通知如下：", "时间：2026年1月25日上午9:00", "地点：市政府第一会议室", "参会人员：各区县分管负责同志"]
    res = filter_lines(ARTICLE + notice)
    assert res.lines == ARTICLE + notice
    # above the article the same label is an info line
    assert filter_lines(["时间：2026-01-21 10:30"] + ARTICLE).lines == ARTICLE
