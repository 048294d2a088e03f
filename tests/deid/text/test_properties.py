"""Properties of scrubbing generated text: never raises, rebuilds from its spans, leaks no planted PHI."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from huizhen.deid.text import ScrubContext, scrub

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
_FILLER = st.sampled_from(
    [
        "骨髓穿刺示增生活跃。",
        "免疫组化：CD20(+)，Ki-67约80%。",
        "R-CHOP方案化疗6周期。",
        "诊断为霍奇金淋巴瘤。",
        "Biopsy consistent with Burkitt lymphoma.",
        "Ann Arbor stage IIA. ",
        "高血压病史5年，",
        "\n",
        "PET-CT示完全缓解。",
    ]
)


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(["110101", "310104", "440106", "510107", "430102"]))
    born = f"{draw(st.integers(1930, 2010))}{draw(st.integers(1, 12)):02d}{draw(st.integers(1, 28)):02d}"
    body = region + born + f"{draw(st.integers(0, 999)):03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


@st.composite
def chinese_names(draw: st.DrawFn) -> str:
    given_name = draw(st.text(alphabet=_GIVEN, min_size=1, max_size=2))
    return draw(st.sampled_from(_SURNAMES)) + given_name


@st.composite
def planted(draw: st.DrawFn) -> tuple[str, str]:
    """(sentence with one PHI value after its cue, the value)."""
    kind = draw(st.sampled_from(["name", "phone", "id", "mrn", "email"]))
    if kind == "name":
        value = draw(chinese_names())
        return draw(st.sampled_from(["患者{}，男，", "主治医师：{}。", "联系人：{}，", "姓名：{}　"])).format(
            value
        ), value
    if kind == "phone":
        value = (
            "1"
            + draw(st.sampled_from("3456789"))
            + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9)))
        )
        return f"手机{value}。", value
    if kind == "id":
        value = draw(resident_ids())
        return f"身份证号：{value}，", value
    if kind == "mrn":
        value = "ZY" + str(draw(st.integers(100000, 99999999)))
        return f"住院号：{value}，", value
    value = draw(st.from_regex(r"[a-z]{3,8}\.[a-z]{2,6}@(?:qq|163|example)\.com", fullmatch=True))
    return f"邮箱：{value}；", value


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_scrubbing_any_text_never_raises_and_rebuilds_from_its_spans(text: str) -> None:
    result = scrub(text, context=ScrubContext(date_shift_days=11, keep_organizations=False))
    rebuilt, position = [], 0
    for span in result.spans:
        assert position <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text
        rebuilt += [text[position : span.start], span.replacement]
        position = span.end
    assert "".join([*rebuilt, text[position:]]) == result.text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_FILLER, planted()), min_size=1, max_size=12))
def test_no_planted_identifier_survives_a_scrub(pieces: list[str | tuple[str, str]]) -> None:
    text = "".join(piece if isinstance(piece, str) else piece[0] for piece in pieces)
    values = [piece[1] for piece in pieces if isinstance(piece, tuple)]
    output = scrub(text).text
    for value in values:
        assert value not in output, (value, text, output)


@settings(max_examples=200, deadline=None)
@given(st.lists(_FILLER, min_size=1, max_size=10))
def test_clinical_text_without_phi_is_left_as_it_is(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert scrub(text, context=ScrubContext(date_shift_days=30, keep_organizations=False)).text == text
