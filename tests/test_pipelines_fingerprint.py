"""Tests for ``pipelines.fingerprint``: normalisation, hashes, MinHash signatures and band keys.

The texts here are written for the tests and are not the benchmark's (bench/data/dedup_pairs.json).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipelines import fingerprint as fp

ROOT = Path(__file__).resolve().parents[1]

METRO = "\n".join(
    [
        "12月26日上午，济南轨道交通4号线一期工程正式开通运营。线路西起彩石站，东至济南西站，全长约40公里，共设车站29座，是济南首条东西向贯穿中心城区的地铁线路。",
        "4号线一期工程沿经十路、解放路、泉城路等城市主干道敷设，串联起奥体中心、泉城广场、济南西站等重要客流集散地，与已运营的1号线、2号线、3号线形成换乘，全市轨道交通运营里程达到124公里。",
        "据介绍，开通初期列车最小行车间隔为6分钟，首班车时间为6时，末班车时间为22时30分。乘客可使用“济南地铁”APP、交通联合卡以及银行卡闪付等多种方式乘车。",
        "济南轨道交通集团有关负责人表示，将持续做好运营组织和安全管理，优化与公交线路的接驳，为市民群众提供安全、便捷、舒适的出行服务。",
    ]
)
APPLE = "\n".join(
    [
        "金秋时节，烟台栖霞的苹果园里一片丰收景象。今年全市苹果种植面积稳定在280万亩，预计总产量达到610万吨，优果率比去年提高5个百分点。",
        "近年来，烟台大力推进苹果老龄果园改造，推广矮砧集约栽培、水肥一体化和病虫害绿色防控技术，累计改造提升果园62万亩。新建果园普遍实现了宽行距、机械化作业，亩均用工减少三分之一。",
        "在销售端，烟台依托“烟台苹果”区域公用品牌，发展电商直播、冷链物流和精深加工，苹果产业全链条产值突破1000亿元。栖霞市果农王立军说：“现在苹果不愁卖，还能卖上好价钱。”",
    ]
)
WEIFANG_KITE = "\n".join(
    [
        "3月28日上午，潍坊市人民政府新闻办公室举行新闻发布会，邀请市文化和旅游局有关负责同志介绍第42届潍坊国际风筝会筹备情况，并回答记者提问。",
        "本届风筝会将于4月19日在滨海国际风筝放飞场开幕，共有来自60多个国家和地区的代表团参加，期间将举办世界风筝锦标赛、风筝文化展览和风筝扎制技艺大赛等活动。",
        "为做好服务保障，潍坊市将开通风筝会旅游专线公交，增设停车场12处，新增停车泊位8000个，并在放飞场设置医疗救护、志愿服务和游客咨询站点。",
        "发布会上，市文化和旅游局有关负责同志回答了记者提问。",
    ]
)
WEIFANG_VEG = "\n".join(
    [
        "5月15日上午，潍坊市人民政府新闻办公室举行新闻发布会，邀请市农业农村局有关负责同志介绍全市蔬菜产业高质量发展情况，并回答记者提问。",
        "潍坊是全国重要的蔬菜生产基地，全市蔬菜播种面积稳定在200万亩以上，年产量超过1000万吨。寿光蔬菜种业集团等企业自主培育的蔬菜新品种已在全国推广种植。",
        "今年，潍坊将新建改造智能温室大棚1.5万个，推进蔬菜标准化生产和全程质量追溯，支持农产品物流园扩容升级，进一步提升“潍坊蔬菜”品牌影响力。",
        "发布会上，市农业农村局有关负责同志回答了记者提问。",
    ]
)
SAFETY_MONTH = "\n".join(
    [
        "各市人民政府，省政府各部门、各直属机构：",
        "今年6月是全国第24个“安全生产月”，主题为“人人讲安全、个个会应急”。为扎实开展好今年的“安全生产月”活动，经研究，现就有关事项通知如下：",
        "一、组织开展安全宣传咨询日活动。各地要在6月16日前后集中开展安全宣传咨询活动，深入企业、社区、学校普及安全知识和应急避险技能。",
        "二、深入开展应急演练。各地各有关部门要组织开展有针对性的应急演练，重点检验预案的实用性和可操作性，提高企业和群众的自救互救能力。",
        "请各地于7月5日前将活动总结报送省安全生产委员会办公室。",
        "特此通知。",
    ]
)
QUALITY_MONTH = "\n".join(
    [
        "各市人民政府，省政府各部门、各直属机构：",
        "今年9月是全国“质量月”，主题为“加快质量强国建设，推动高质量发展”。为扎实开展好今年的“质量月”活动，经研究，现就有关事项通知如下：",
        "一、开展质量宣传进企业活动。各地市场监管部门要组织质量专家深入企业开展质量诊断和技术帮扶，推广先进质量管理方法。",
        "二、加强重点产品质量监管。围绕电动自行车、燃气器具、儿童用品等重点产品，开展质量安全专项检查，依法查处质量违法行为。",
        "请各地于10月10日前将活动总结报送省市场监督管理局。",
        "特此通知。",
    ]
)


def _retypeset(text: str) -> str:
    """Half-width punctuation, corner quotes, hard line breaks, indentation and stray spaces."""
    for full, half in [("，", ","), ("：", ":"), ("；", ";"), ("（", "("), ("）", ")")]:
        text = text.replace(full, half)
    text = text.replace("“", "「").replace("”", "」")
    flat = text.replace("\n", "")
    wrapped = "\n".join("\u3000\u3000" + flat[i : i + 37] for i in range(0, len(flat), 37))
    return wrapped.replace("济南", "济 南")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("山东省，青岛市：通知；（一）", "山东省,青岛市:通知;(一)"),
        ("“好客山东”", "「好客山东」"),
        ("『好客山东』", '"好客山东"'),
        ("统筹发展——安全", "统筹发展—安全"),
        ("统筹发展——安全", "统筹发展--安全"),
        ("等等……", "等等..."),
        ("等等⋯⋯", "等等……"),
        ("鲁政发〔2024〕3号", "鲁政发[2024]3号"),
        ("《实施意见》", "〈实施意见〉"),
        ("ＡＰＰ１２３", "app123"),
        ("走在前•开新局", "走在前·开新局"),
        ("第一段\n\n　　第二段 ", "第一段第二段"),
        ("零\u200b宽\ufeff字符\u00ad", "零宽字符"),
    ],
)
def test_normalize_body_folds_typesetting(a: str, b: str) -> None:
    assert fp.normalize_body(a) == fp.normalize_body(b)


def test_normalize_body_keeps_content() -> None:
    assert fp.normalize_body("1.5万亩，增长3%。") == "1.5万亩,增长3%。"
    assert fp.normalize_body("二〇二四年") != fp.normalize_body("二〇二五年")


def test_body_hash_stable_under_retypesetting() -> None:
    assert fp.body_hash(METRO) == fp.body_hash(_retypeset(METRO))
    assert fp.body_hash(APPLE) == fp.body_hash(APPLE.replace("\n", "\n\n") + "\n")
    assert len(fp.body_hash(METRO)) == 64
    assert fp.body_hash(METRO) != fp.body_hash(METRO.replace("6分钟", "5分钟"))


def test_signature_shape() -> None:
    sig = fp.signature(METRO)
    assert sig.dtype == np.uint64
    assert sig.shape == (fp.NUM_PERM,)
    assert fp.similarity(sig, fp.signature(_retypeset(METRO))) == 1.0
    assert [s.tolist() for s in fp.signatures([METRO, APPLE])] == [sig.tolist(), fp.signature(APPLE).tolist()]


def test_signature_bytes_roundtrip() -> None:
    sig = fp.signature(APPLE)
    data = fp.signature_to_bytes(sig)
    assert len(data) == 8 * fp.NUM_PERM
    assert data[:8] == int(sig[0]).to_bytes(8, "little")
    assert np.array_equal(fp.signature_from_bytes(data), sig)
    with pytest.raises(ValueError):
        fp.signature_from_bytes(data[:-8])


def test_empty_body() -> None:
    sig = fp.signature(" \n，。——")
    assert fp.is_empty(sig)
    assert fp.band_keys(sig) == []
    assert fp.similarity(sig, sig) == 0.0
    assert not fp.is_near_duplicate(sig, fp.signature(""))


def test_short_body_has_a_signature() -> None:
    sig = fp.signature("通知")
    assert not fp.is_empty(sig)
    assert fp.similarity(sig, fp.signature("通 知")) == 1.0


def _copy_with_footer_and_changed_line(text: str) -> str:
    lines = text.split("\n")
    lines[1] = lines[1].replace("累计改造提升果园62万亩", "累计改造提升老果园近70万亩")
    lines[0] = lines[0].replace("4号线一期工程正式开通运营", "4号线一期工程今天起正式载客运营")
    return "\n".join(lines + ["（记者 孙明 通讯员 齐鲁 报道）", "责任编辑：陈静"])


POSITIVES = {
    "metro: 原标题 note, retitled, re-typeset, one line changed, footer": (
        METRO,
        "权威发布｜济南地铁4号线开通\n原标题：济南轨道交通4号线一期工程开通运营\n"
        + _retypeset(METRO.replace("首班车时间为6时", "首班车发车时间为6时整"))
        + "\n来源：济南日报 编辑：李华",
    ),
    "apple: one sentence removed, byline, half-width punctuation": (
        APPLE,
        APPLE.replace("新建果园普遍实现了宽行距、机械化作业，亩均用工减少三分之一。", "")
        .replace("，", ",")
        .replace("：", ":")
        + "\n（大众日报记者 王凯 通讯员 刘洋）",
    ),
    "metro: footer and one changed line": (METRO, _copy_with_footer_and_changed_line(METRO)),
    "apple: footer and one changed line": (APPLE, _copy_with_footer_and_changed_line(APPLE)),
}
NEGATIVES = {
    "two press conferences of one office": (WEIFANG_KITE, WEIFANG_VEG),
    "two notices of one kind": (SAFETY_MONTH, QUALITY_MONTH),
    "unrelated": (METRO, APPLE),
}


@pytest.mark.parametrize("name", sorted(POSITIVES))
def test_positives_over_threshold(name: str) -> None:
    a, b = POSITIVES[name]
    sa, sb = fp.signature(a), fp.signature(b)
    assert fp.similarity(sa, sb) >= fp.NEAR_THRESHOLD
    assert fp.is_near_duplicate(sa, sb)
    assert fp.body_hash(a) != fp.body_hash(b)


@pytest.mark.parametrize("name", sorted(NEGATIVES))
def test_negatives_under_threshold(name: str) -> None:
    a, b = NEGATIVES[name]
    sa, sb = fp.signature(a), fp.signature(b)
    assert fp.similarity(sa, sb) < fp.NEAR_THRESHOLD
    assert not fp.is_near_duplicate(sa, sb)


@pytest.mark.parametrize("text", [METRO, APPLE])
def test_footer_and_changed_line_share_a_band_key(text: str) -> None:
    copy = _copy_with_footer_and_changed_line(text)
    assert copy != text
    shared = set(fp.band_keys(fp.signature(text))) & set(fp.band_keys(fp.signature(copy)))
    assert shared


def test_negatives_share_few_band_keys() -> None:
    a, b = NEGATIVES["unrelated"]
    assert not set(fp.band_keys(fp.signature(a))) & set(fp.band_keys(fp.signature(b)))


def test_band_keys_shape() -> None:
    keys = fp.band_keys(fp.signature(METRO))
    assert len(keys) == fp.BANDS
    assert all(isinstance(k, int) and -(2**63) <= k < 2**63 for k in keys)
    # the band index is part of the key: equal bands at different positions differ
    flat = np.full(fp.NUM_PERM, 7, dtype=np.uint64)
    assert len(set(fp.band_keys(flat))) == fp.BANDS


_CHILD = """
import json, sys
from pipelines import fingerprint as fp
text = sys.stdin.read()
sig = fp.signature(text)
print(json.dumps({"keys": fp.band_keys(sig), "sig": fp.signature_to_bytes(sig).hex()}))
"""


@pytest.mark.parametrize("hashseed", ["0", "4242"])
def test_band_keys_deterministic_across_processes(hashseed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hashseed, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD], input=METRO, capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    child = json.loads(out.stdout)
    sig = fp.signature(METRO)
    assert child["keys"] == fp.band_keys(sig)
    assert child["sig"] == fp.signature_to_bytes(sig).hex()


GOLDEN_KEYS = [-1719515181109268862, 3915791609540114564, 727917411292818235]


def test_band_keys_golden() -> None:
    """Pinned values: a change here means every stored band key is void (bump SIGNATURE_VERSION)."""
    assert fp.SIGNATURE_VERSION == 1
    assert fp.band_keys(fp.signature("济南轨道交通4号线一期工程正式开通运营"))[:3] == GOLDEN_KEYS


def test_parameters_consistent() -> None:
    assert fp.BANDS * fp.ROWS <= fp.NUM_PERM
    assert 0 < fp.NEAR_THRESHOLD < 1
    assert fp.collision_probability(0.2) < fp.collision_probability(fp.NEAR_THRESHOLD) < fp.collision_probability(0.8)
    assert fp.collision_probability(0.8) > 0.999


def test_similarity_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError):
        fp.similarity(fp.signature(METRO), fp.signature(METRO)[:64])


# -- the numpy MinHash against datasketch, and the shared normalisation ---------------------
def test_signature_equals_datasketch_affine64() -> None:
    """The hand-written permutations give datasketch's affine64 values exactly."""
    pytest.importorskip("datasketch", reason="datasketch not installed (pip install -e '.[bench]')")
    for text in (METRO, APPLE, WEIFANG_KITE, "短", METRO * 3):
        hashes = fp.shingle_hashes(text)
        assert np.array_equal(fp.signature_from_hashes(hashes), fp.datasketch_signature(hashes))


def test_signature_of_many_hashes_spans_chunks() -> None:
    """More hashes than one chunk: the running minimum over chunks is the minimum over all."""
    rng = np.random.default_rng(3)
    hashes = np.unique(rng.integers(0, 2**63, 3 * fp._CHUNK + 17, dtype=np.uint64))
    whole = fp.signature_from_hashes(hashes)
    parts = np.minimum(fp.signature_from_hashes(hashes[: fp._CHUNK + 5]),
                       fp.signature_from_hashes(hashes[fp._CHUNK + 5 :]))
    assert np.array_equal(whole, parts)
    assert not fp.is_empty(whole)


def test_fingerprints_match_separate_calls() -> None:
    for text in (METRO, "ＡＢＣ，全角　文字（测试）", "e\u0301\u200b…⋯⋯", ""):
        h, sig = fp.fingerprints(text)
        assert h == fp.body_hash(text)
        assert np.array_equal(sig, fp.signature(text))


def test_normalize_body_equals_plain_nfkc_pipeline() -> None:
    """The NFKC shortcut (full-width ASCII first, skip when already normalised) changes nothing."""
    import unicodedata

    def reference(text: str) -> str:
        t = fp._WS_RE.sub("", unicodedata.normalize("NFKC", text).casefold().translate(fp._FOLD))
        if not t.isprintable():
            t = "".join(ch for ch in t if unicodedata.category(ch) not in ("Cf", "Cc"))
        for pattern, repl in fp._RUNS:
            t = pattern.sub(repl, t)
        return t

    rng = np.random.default_rng(7)
    alphabet = [chr(c) for c in [*range(0x20, 0x7F), *range(0xFF00, 0xFF70), 0x3000, 0x301, 0x308,
                                 0x200B, 0xFEFF, 0x2026, 0x22EF, 0x2014, 0xC5, 0x212B, 0x1100, 0x1161,
                                 0xFB01, 0x2460, 0x3392, 0xA0]] + list("中国政府，。、；：？！（）《》“”【】")
    for _ in range(2000):
        text = "".join(rng.choice(alphabet, rng.integers(0, 30)))
        assert fp.normalize_body(text) == reference(text), repr(text)
