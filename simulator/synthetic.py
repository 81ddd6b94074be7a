"""Synthetic Chinese press releases for tests and ``bench/archive_scale.py``.

Text is drawn from a 20,000-word Zipf vocabulary (exponent 1): pseudo-words made
of common characters plus real government phrases placed at fixed frequency
ranks (``RANKS``), so a query's hit count is predictable: 发展 is in nearly every
document, 营商环境 (rank 200) in about one in six, 城市更新 (rank 8000) in about 1 %.
Records are random slices of a pre-generated text pool, which keeps generation
near 100 µs per record.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterator
from datetime import date, timedelta

from archive.record import DocumentRecord

RANKS: dict[str, int] = {
    "发展": 1, "工作": 2, "数字化": 100, "营商": 150, "营商环境": 200, "疫情防控": 250,
    "城中村": 300, "绿色": 400, "乡村振兴": 600, "新能源": 800, "安全生产": 1000,
    "产业链": 1200, "医保": 1500, "自贸区": 2500, "生态环境": 3000, "示范区": 5000,
    "防汛": 6000, "城市更新": 8000,
}
"""Words the benchmark searches for, at fixed ranks of the Zipf vocabulary."""
PHRASES = ["推进", "建设", "加强", "落实", "服务", "管理", "全面", "持续", "深化", "改革", "创新", "企业", "项目", "群众", "政策", "经济", "社会", "安全", "质量", "提升", "优化", "部署", "会议", "要求", "坚持", "统筹", "协调", "推动", "开展", "组织", "实施", "保障", "重点", "任务", "领导", "干部", "税务", "教育", "卫生", "交通", "环保", "农业", "文旅", "民生", "就业", "养老", "住房", "消防", "应急", "科技", "开发区", "高新区", "服务业", "制造业", "一网通办", "老旧小区", "放管服", "高质量发展", "共同富裕", "招商引资", "人民群众", "基层治理", "黄河流域", "数字经济", "民营企业", "科技创新", "新型城镇化", "公共服务", "志愿服务", "文明城市"]
FILLER = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主年动同工也能下过子说"
    "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当"
    "使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反"
    "你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展"
    "五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根"
    "论运农指几九区强放决西被干做必战先回则任取据处府研质"
)
VOCABULARY = 20_000
SEPS = ("", "，", "、", "；", "。", "。\n")
SEP_CUM = (80, 90, 92, 93, 98, 100)
SITES = tuple(f"sd_site{i:02d}" for i in range(20))


def _vocabulary(rng: random.Random) -> list[str]:
    words: list[str | None] = [None] * VOCABULARY
    for word, rank in RANKS.items():
        words[rank - 1] = word
    free = [i for i, w in enumerate(words) if w is None]
    for j, word in enumerate(PHRASES):  # spread over ranks 3..VOCABULARY in log space
        want = int(math.exp(math.log(3) + j / len(PHRASES) * math.log(VOCABULARY / 3)))
        slot = min(free, key=lambda i: abs(i - want))
        words[slot] = word
        free.remove(slot)
    taken = set(RANKS) | set(PHRASES)
    for i in free:
        while True:
            n = rng.choices((1, 2, 3, 4), cum_weights=(10, 75, 95, 100))[0]
            w = "".join(rng.choices(FILLER, k=n))
            if w not in taken:
                taken.add(w)
                words[i] = w
                break
    return [w for w in words if w]


class Generator:
    """Fast, seeded generator of article records (``archive.record.DocumentRecord``)."""

    def __init__(self, seed: int = 1, bands: int = 16, pool_chars: int = 400_000) -> None:
        self.rng = random.Random(seed)
        self.bands = bands
        self.words = _vocabulary(self.rng)
        self.cum: list[float] = []
        total = 0.0
        for rank in range(1, len(self.words) + 1):
            total += 1.0 / rank
            self.cum.append(total)
        self.avg_len = 2.6
        self.pool = self._generate(pool_chars, True)
        self.pool_flat = self._generate(pool_chars // 10, False).replace("。", "")

    def _generate(self, chars: int, paragraphs: bool) -> str:
        n = max(1, int(chars / self.avg_len))
        words = self.rng.choices(self.words, cum_weights=self.cum, k=n)
        k = len(SEPS) if paragraphs else len(SEPS) - 1
        seps = self.rng.choices(SEPS[:k], cum_weights=SEP_CUM[:k], k=n)
        return "".join([w + s for w, s in zip(words, seps)])

    def text(self, chars: int, *, paragraphs: bool = True) -> str:
        """About ``chars`` characters: random slices of a pre-generated phrase stream."""
        pool = self.pool if paragraphs else self.pool_flat
        out: list[str] = []
        left = chars
        while left > 0:
            size = min(left, self.rng.randint(60, 240))
            start = self.rng.randrange(len(pool) - size)
            out.append(pool[start : start + size])
            left -= size
        return "".join(out).strip("，、；。\n")

    def record(self, i: int, *, site: str | None = None, body_chars: int | None = None) -> DocumentRecord:
        rng = self.rng
        site = site or SITES[i % len(SITES)]
        day = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
        title = self.text(rng.randint(8, 24), paragraphs=False).replace("。", "")
        body = self.text(body_chars or rng.randint(300, 1500))
        url = f"https://www.{site}.gov.cn/art/{day:%Y/%m/%d}/art_{i}.html"
        return DocumentRecord.from_headers(
            {"content-type": "text/html; charset=utf-8", "etag": f'"{i:x}"'},
            site=site, url=url, canonical_url=url, http_status=200,
            raw=f"<html><head><title>{title}</title></head><body><p>{body}</p></body></html>".encode(),
            fetched_at=f"{day + timedelta(days=1)}T02:00:00+00:00", column_name="新闻动态",
            title=title, published=f"{day}T09:{i % 60:02d}:00+08:00", published_raw=str(day),
            source="市政府办公厅", author="", editors=["张三"], body=body,
            site_name=site, region_code=f"37{i % 17 + 1:02d}00", encoding="utf-8",
            language="zh", extraction_method="synthetic", flags=[],
            body_hash=hashlib.sha1(body.encode()).hexdigest(),
            band_keys=[rng.getrandbits(64) - 2**63 for _ in range(self.bands)],
            minhash=rng.randbytes(128 * 4),
        )

    def records(self, n: int, start: int = 0) -> Iterator[DocumentRecord]:
        for i in range(start, start + n):
            yield self.record(i)
