"""Article texts for the generated portals, written for the simulator (never copied).

Each article is put together from sentence pools chosen by a stable hash of the site,
the column and the article number, with the place, the topic and figures filled in, so
articles of different sites share no paragraph and are never near-duplicates.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..model import CST, stable_int

TOPICS = (
    ("优化营商环境", "市发展改革委"), ("城市更新", "市住房城乡建设局"), ("乡村振兴", "市农业农村局"),
    ("科技创新", "市科技局"), ("就业创业", "市人力资源社会保障局"), ("生态环境保护", "市生态环境局"),
    ("文化旅游", "市文化和旅游局"), ("安全生产", "市应急管理局"), ("养老服务", "市民政局"),
    ("交通建设", "市交通运输局"), ("教育发展", "市教育局"), ("医疗保障", "市医疗保障局"),
    ("海洋经济", "市海洋发展局"), ("数字政府", "市大数据局"), ("防汛抗旱", "市水务局"),
    ("民营经济", "市工业和信息化局"),
)

NEWS_LEAD = (
    "{month}月{day}日，{place}召开{topic}工作推进会议，总结前一阶段进展，部署下一步重点任务。",
    "{month}月{day}日，记者从{dept}获悉，{place}{topic}各项工作取得阶段性成效。",
    "近日，{place}印发{topic}专项行动方案，明确了年度目标、责任分工和推进时限。",
    "{month}月{day}日上午，{place}组织开展{topic}现场观摩活动，实地察看了{n1}个重点项目。",
    "记者{month}月{day}日从{dept}了解到，今年以来{place}把{topic}作为一项重要任务抓紧抓实。",
    "{month}月{day}日，{place}举行{topic}重点项目集中签约仪式，签约项目{n1}个。",
)
NEWS_MID = (
    "今年以来，{place}累计投入资金{n2}亿元，实施{topic}项目{n1}个，惠及群众{n3}万人。",
    "数据显示，前三季度{place}{topic}相关指标同比增长{pct}%，增速高于上年同期。",
    "在推进过程中，各区县建立了工作台账，实行清单化管理、项目化推进，做到每月调度、每季通报。",
    "{dept}相关负责同志介绍，全{scope}已有{n1}个街道和{n3}个村居完成了{topic}试点任务。",
    "围绕群众关心的问题，{place}新增便民服务点{n1}处，办理时限平均压缩{pct}%。",
    "据统计，{place}今年新引进{topic}领域重点企业{n1}家，带动新增就业岗位{n3}千个。",
    "针对基层反映集中的难点，{dept}组织专班逐项研究，{n1}项问题已经办结销号。",
    "{place}同步完善考核评价办法，把{topic}纳入年度综合考核，考核结果向社会公开。",
)
NEWS_END = (
    "下一步，{place}将持续加大工作力度，确保{topic}各项任务按期完成。",
    "会议要求，各级各部门要压实责任、强化协同，推动{topic}工作再上新台阶。",
    "{dept}表示，将继续听取企业和群众意见，不断完善{topic}相关政策措施。",
    "按照计划，{place}将在年底前对{topic}工作开展一次全面评估，评估结果及时向社会公布。",
    "接下来，{place}将聚焦重点领域和关键环节，以更实举措推动{topic}取得新成效。",
    "据悉，有关配套细则将于近期陆续出台，并在政府网站公开征求意见。",
)
CONF_LEAD = (
    "{month}月{day}日上午，{office}召开新闻发布会，邀请{dept}负责同志介绍{place}{topic}有关情况，并回答记者提问。",
    "{month}月{day}日，{office}举行“{topic}”主题新闻发布会，{dept}主要负责同志发布有关情况。",
    "{month}月{day}日下午，{office}举行新闻发布会，{dept}等单位负责同志解读{place}{topic}政策措施。",
)
CONF_MID = (
    "发布会上介绍，{place}近年来在{topic}方面出台政策文件{n1}件，累计支持项目{n3}个。",
    "记者：请介绍一下{place}在{topic}方面有哪些新举措？",
    "{dept}负责同志：我们重点抓了三方面工作，一是完善制度，二是强化服务，三是加强督导。",
    "记者：群众办理相关事项还有哪些不便，下一步怎样改进？",
    "{dept}负责同志：我们将把更多事项纳入网上办理，力争年内网办率达到{pct}%以上。",
    "发布会透露，{place}今年安排{topic}专项资金{n2}亿元，重点支持{n1}类项目。",
    "据介绍，相关政策自发布之日起施行，有效期{n1}年，具体条款可在政府网站查询。",
    "发布会还通报了{topic}领域{n1}个典型案例，涉及企业{n3}家。",
)
CONF_END = (
    "发布会由{office}有关负责同志主持。",
    "发布会文字实录和政策全文已在政府门户网站同步发布。",
    "（{office}）",
)


def _pick(pool: tuple[str, ...], *key: object) -> str:
    return pool[stable_int(*key) % len(pool)]


def _fill(text: str, **values: Any) -> str:
    return text.format(**values)


def make_entries(slug: str, place: str, office: str, columns: list[tuple[str, str]], per_column: int,
                 sources: dict[str, str], start: datetime) -> list[dict[str, Any]]:
    """Simulator data entries (as ``data/<slug>.json`` holds them) for one generated portal.

    ``columns`` are ``(name, role)``; press-conference columns get conference texts.
    """
    entries: list[dict[str, Any]] = []
    for ci, (column, role) in enumerate(columns):
        press = role in ("新闻发布会", "发布会实录")
        for i in range(per_column):
            k = (slug, column, i)
            topic, dept = TOPICS[(stable_int(*k, "t") + i * 5 + ci * 3) % len(TOPICS)]
            when = start + timedelta(days=9 * i + 3 * ci + stable_int(*k, "d") % 4,
                                     hours=stable_int(*k, "h") % 8, minutes=10 * (stable_int(*k, "m") % 6))
            v = {"place": place, "topic": topic, "dept": dept.replace("市", "省", 1) if place.endswith("省") else dept, "office": office, "scope": "省" if place.endswith("省") else "市", "month": when.month, "day": when.day,
                 "n1": 3 + stable_int(*k, "n1") % 40, "n2": 2 + stable_int(*k, "n2") % 90,
                 "n3": 10 + stable_int(*k, "n3") % 500, "pct": 5 + stable_int(*k, "p") % 40}
            if press:
                paras = [_fill(_pick(CONF_LEAD, *k, "l"), **v)]
                mids = sorted(range(len(CONF_MID)), key=lambda j: stable_int(*k, "m", j))[:4]
                paras += [_fill(CONF_MID[j], **v) for j in sorted(mids)]
                paras.append(_fill(_pick(CONF_END, *k, "e"), **v))
                title = f"{office}举行{place}{topic}新闻发布会"
            else:
                paras = [_fill(_pick(NEWS_LEAD, *k, "l"), **v)]
                mids = sorted(range(len(NEWS_MID)), key=lambda j: stable_int(*k, "m", j))[:3]
                paras += [_fill(NEWS_MID[j], **v) for j in mids]
                paras.append(_fill(_pick(NEWS_END, *k, "e"), **v))
                verb = ("扎实推进", "全力推动", "持续深化", "加快推进")[stable_int(*k, "v") % 4]
                title = f"{place}{verb}{topic}工作"
            entries.append({
                "key": f"{slug}-{ci}-{i}", "column": column, "title": title,
                "published": when.replace(tzinfo=CST).isoformat(),
                "source": sources.get(role, sources.get("", place)), "paragraphs": paras,
            })
    return entries
