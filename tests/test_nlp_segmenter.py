"""The findings' segmenter (rjieba, jieba-rs) gives jieba's own tokens, and the fast paths of the
extractors find what the plain regular expressions find."""

from pathlib import Path

import jieba
import pytest

from pipelines import nlp
from pipelines.extract import forms as FM
from pipelines.text import normalize

ROOT = Path(__file__).resolve().parent.parent
TEXTS = sorted((ROOT / "data" / "raw").glob("*.txt")) + sorted((ROOT / "tests" / "fixtures" / "real_shapes").glob("*.txt"))


@pytest.fixture(scope="module")
def jieba_tokenizer(tmp_path_factory):
    tk = jieba.Tokenizer()
    tk.tmp_dir = str(tmp_path_factory.mktemp("jieba"))
    tk.initialize()
    tk.load_userdict(str(nlp.USERDICT))
    return tk


def _lines():
    for p in TEXTS:
        for line in normalize(p.read_text(encoding="utf-8")).split("\n"):
            if line.strip():
                yield line


def test_segmenter_cuts_every_line_as_jieba_does(jieba_tokenizer):
    seg = nlp.get_segmenter()
    lines = list(_lines())
    assert len(lines) > 1000
    differ = [ln for ln in lines if seg.cut(ln, False) != jieba_tokenizer.lcut(ln, HMM=False)]
    assert differ == []


def test_segmenter_knows_the_domain_words_and_jieba_dictionary(jieba_tokenizer):
    seg = nlp.get_segmenter()
    for word, _, _ in nlp.user_words():
        assert seg.has_word(word), word
    # every 2- and 3-character piece of the sample texts: in the dictionary for both or for neither
    pieces = {ln[i : i + n] for ln in list(_lines())[:400] for n in (2, 3) for i in range(len(ln) - n + 1)}
    assert [w for w in pieces if seg.has_word(w) != bool(jieba_tokenizer.FREQ.get(w))] == []


def test_analyze_finding_words_and_search_text():
    clause, body, tokens, search = nlp.analyze_finding("绩效目标设置不够明确，指标不细化", "部分指标缺少满意度调查。")
    # 不够, 不, 部分 are stop words; 满意度调查 is a domain word
    assert clause == [["绩效目标", "设置", "明确"], ["指标", "细化"]]
    assert body == ["指标", "缺少", "满意度调查"]
    assert tokens == clause[0] + clause[1] + body
    # each word after its dictionary sub-words (2 characters, then 3), stop words and punctuation dropped
    assert search.split() == ["绩效", "目标", "绩效目标", "设置", "明确", "指标", "细化",
                              "指标", "缺少", "满意", "调查", "满意度", "满意度调查"]


def test_misread_first_character_of_a_column_label_is_read():
    # an OCR'd funds header: 年初预算数 with its first character misread, then two printed labels
    block = "项目资金（万元）  午初预算数  全年预算数  全年执行数  分值  得分  执行率"
    got = [(block[s:e], word) for s, e, word in FM._column_matches(block, misread=True)]
    assert ("午初预算数", "年初预算数") in got
    assert ("全年预算数", "全年预算数") in got and ("全年执行数", "全年执行数") in got
    printed = [word for _, _, word in FM._column_matches(block, misread=False)]
    assert "年初预算数" not in printed and "全年执行数" in printed


def test_form_title_after_file_names_of_the_same_title():
    text = "项目支出绩效自评表.doc\n\n下载：项目支出绩效自评表.pdf\n\n1、项目支出绩效自评表(2020年度)  项目名称 某项目"
    got = [m.group(0) for m in FM._title_matches(text)]
    assert got == ["项目支出绩效自评表"]
    assert text.index(got[0], text.index("1、")) == [m.start() for m in FM._title_matches(text)][0]
