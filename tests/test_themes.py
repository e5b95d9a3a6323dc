"""Themes of findings and the jieba layer under them.

The labelled set `tests/fixtures/findings_labelled.csv` holds every finding of the sample
corpus plus hand-written ones (file "synthetic"), each labelled by reading it (see
docs/themes.md for the labelling convention). The classifier must agree on ≥ 90 %.
"""

import csv
import subprocess
import sys

import jieba
import pytest

from conftest import FENGTAI, MUNICIPAL, ROOT, SHIJINGSHAN
from pipelines import nlp
from pipelines.extract import themes as TH
from pipelines.extract.findings import extract_findings
from test_findings import reports

LABELLED = ROOT / "tests" / "fixtures" / "findings_labelled.csv"
DOC = ROOT / "docs" / "themes.md"
FILES = {p.name: p for p in (MUNICIPAL, FENGTAI, SHIJINGSHAN)}
MIN_ACCURACY = 0.90


def labelled_rows():
    with LABELLED.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def labelled_cases():
    """(row, heading, body): corpus rows get the body of the extracted finding."""
    cache = {}
    out = []
    for r in labelled_rows():
        if r["file"] == "synthetic":
            out.append((r, r["heading"], ""))
            continue
        if r["file"] not in cache:
            cache[r["file"]] = [extract_findings(t) for t in reports(FILES[r["file"]])]
        fs = cache[r["file"]][int(r["report_seq"]) - 1]
        f = next(f for f in fs if f["kind"] == r["kind"] and f["seq"] == int(r["seq"]))
        out.append((r, f["heading"], f["body"]))
    return out


def test_labelled_set_covers_every_corpus_finding():
    rows = [r for r in labelled_rows() if r["file"] != "synthetic"]
    keys = {(r["file"], int(r["report_seq"]), r["kind"], int(r["seq"])) for r in rows}
    assert len(keys) == len(rows)
    found = set()
    for name, path in FILES.items():
        for i, text in enumerate(reports(path), 1):
            for f in extract_findings(text):
                found.add((name, i, f["kind"], f["seq"]))
    assert found == keys
    assert len(rows) == 50
    assert sum(r["file"] == "synthetic" for r in labelled_rows()) >= 15


def test_labelled_headings_match_extraction():
    for r, heading, _ in labelled_cases():
        assert heading == r["heading"], r


def test_labels_use_documented_themes():
    known = set(TH.themes())
    doc = DOC.read_text(encoding="utf-8")
    for theme in known:
        assert theme in doc, f"theme {theme} not documented"
    for r in labelled_rows():
        assert r["theme"] in known, r


def test_accuracy_on_labelled_set():
    cases = labelled_cases()
    misses = []
    for r, heading, body in cases:
        got = TH.classify(heading, body)
        if got != r["theme"]:
            misses.append(f'{r["file"][:3]} #{r["report_seq"]} {r["kind"]}{r["seq"]} {heading[:24]}: '
                          f'labelled {r["theme"]}, got {got}')
    acc = 1 - len(misses) / len(cases)
    print(f"\ntheme accuracy: {acc:.3f} ({len(cases) - len(misses)}/{len(cases)})\n" + "\n".join(misses))
    assert acc >= MIN_ACCURACY, f"accuracy {acc:.3f} < {MIN_ACCURACY}:\n" + "\n".join(misses)


def test_single_string_form_equals_heading_body_form():
    # process.py calls classify(heading + "。" + body)
    for r, heading, body in labelled_cases():
        assert TH.classify(heading + "。" + body) == TH.classify(heading, body)


# (heading, body, theme) — the decision rule on hand-made cases
RULE_CASES = [
    ("", "", "其他"),
    ("有关情况说明", "详见附件。", "其他"),
    # the heading outweighs a body full of another theme's words
    ("资金拨付不及时", "满意度调查问卷样本量不足。", "资金管理"),
    # first clause of the heading outweighs a later clause
    ("资产管理不规范，合同条款缺失，满意度调查不足", "", "资产与合同"),
    ("绩效目标不明确", "", "绩效目标与指标"),
    ("未开展满意度调查", "", "满意度调查"),
    ("偿债风险较高", "", "风险管理"),
    ("项目建成后运维经费无保障", "", "可持续性"),
]


@pytest.mark.parametrize("heading,body,theme", RULE_CASES)
def test_decision_rule(heading, body, theme):
    assert TH.classify(heading, body) == theme


def test_ties_go_to_the_theme_listed_first():
    order = TH.themes()
    # 预算执行 weighs 2 for 资金管理 only; 制度 weighs 2 for 过程管理与制度 only
    sc = TH.scores("预算执行与制度", "")
    assert sc["资金管理"] == sc["过程管理与制度"] > 0
    first = min(("资金管理", "过程管理与制度"), key=order.index)
    assert TH.classify("预算执行与制度", "") == first


def test_every_rule_term_is_one_token():
    _, terms = TH.rules()
    stop = nlp.stopwords()
    for term in terms:
        assert term not in stop
        assert nlp.tokenize(term) == [term], term


def test_rules_file_shape():
    with TH.RULES.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert set(rows[0]) == {"theme", "term", "weight"}
    assert all(float(r["weight"]) > 0 for r in rows)
    assert len({(r["theme"], r["term"]) for r in rows}) == len(rows)  # no duplicate rule
    assert 9 <= len({r["theme"] for r in rows}) <= 12


# --- nlp ----------------------------------------------------------------------------------

def test_userdict_has_domain_terms():
    words = [ln.split()[0] for ln in nlp.USERDICT.read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert len(words) >= 80
    for w in ["绩效目标", "绩效指标", "预算执行率", "事前绩效评估", "满意度调查", "三重一大", "专项债券", "资金到位率", "绩效评价", "预算编制"]:
        assert w in words
        assert nlp.tokenize(w) == [w]


def test_tokenize_drops_stopwords_punctuation_numbers():
    toks = nlp.tokenize("部分绩效指标设定偏低，预算执行率100%，2024年的满意度调查覆盖率为95.5%。")
    assert "绩效指标" in toks and "预算执行率" in toks and "满意度调查" in toks
    for bad in ["，", "。", "%", "100", "2024", "95.5", "的", "部分", "年"]:
        assert bad not in toks
    assert nlp.tokenize("") == []


def test_segment_for_fts_has_search_subwords():
    seg = nlp.segment_for_fts("满意度调查覆盖率偏低。")
    toks = seg.split(" ")
    for t in ["满意度调查", "满意度", "调查", "覆盖率"]:
        assert t in toks
    assert "。" not in toks
    assert nlp.segment_for_fts("") == ""


def test_keywords_with_collection_idf():
    docs = [
        "结余资金未及时上缴，结余资金管理不规范。",
        "绩效目标不明确，绩效指标不完整。",
        "资金管理不规范，实施方案不完善。",
    ]
    idf = nlp.compute_idf(docs)
    n = len(docs)
    import math

    assert idf["结余资金"] == pytest.approx(math.log((n + 1) / 2) + 1)
    assert idf["规范"] == pytest.approx(math.log((n + 1) / 3) + 1)  # in two documents
    kw = nlp.keywords(docs[0], idf, k=2)
    assert kw[0] == "结余资金"  # tf 2, rare
    assert len(kw) == 2
    assert nlp.keywords("", idf) == []


def test_keywords_with_jieba_default_idf():
    kw = nlp.keywords("项目结余资金管理有待强化，结余资金未及时上缴。", None, k=3)
    assert kw[0] == "结余资金"
    assert all(len(w) >= 2 for w in kw)


def test_own_tokenizer_not_the_global_one():
    tk = nlp.get_tokenizer()
    assert isinstance(tk, jieba.Tokenizer)
    assert tk is not jieba.dt
    assert "三重一大" in tk.FREQ
    assert "三重一大" not in jieba.dt.FREQ  # the global dictionary is untouched


def test_cache_dir_and_quiet_initialisation(tmp_path):
    code = (
        "from pipelines import nlp\n"
        f"nlp.get_tokenizer({str(tmp_path)!r})\n"
        "print('|'.join(nlp.tokenize('资金到位率偏低')))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "资金到位率|偏低\n"  # nothing else on stdout
    assert "Building prefix dict" not in res.stderr
    caches = [f.name for f in tmp_path.iterdir()]
    assert len(caches) == 1 and caches[0].startswith("jieba-") and caches[0].endswith(".cache")
    assert len(caches[0]) == len("jieba-") + 16 + len(".cache")  # named by the dictionary's hash


def test_default_cache_dir_is_private_not_shared_temp(monkeypatch, tmp_path):
    import tempfile

    monkeypatch.setattr(nlp, "_CACHE_DIR", None)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert nlp.default_cache_dir() == tmp_path / "bpe" / "jieba"
    assert not str(nlp.default_cache_dir()).startswith(tempfile.gettempdir() + "/bpe")
    nlp.set_cache_dir(tmp_path / "state" / "jieba")
    assert nlp.default_cache_dir() == tmp_path / "state" / "jieba"
