"""The literal gate of section titles (`findings_rules.TITLE_WORDS`): every string the title
patterns can match holds one of the words, so lines without any are safely never searched."""

import itertools
import re

try:
    import re._parser as sre_parse  # Python 3.11+
except ImportError:  # pragma: no cover
    import sre_parse

from pipelines.extract import findings as F
from pipelines.rules import findings_rules as R


def _expand(items) -> set[str]:
    """Every string a finite pattern (literals, groups, alternations, ? and {m,n}) matches."""
    out = {""}
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            alts = {chr(av)}
        elif name == "IN":  # a class of single characters (及|与|和 becomes one)
            assert all(str(o) == "LITERAL" for o, _ in av), av
            alts = {chr(c) for _, c in av}
        elif name == "SUBPATTERN":
            alts = _expand(av[-1])
        elif name == "BRANCH":
            alts = set().union(*(_expand(b) for b in av[1]))
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            lo, hi, sub = av
            assert hi != sre_parse.MAXREPEAT, "unbounded repeat: not a finite pattern"
            one = _expand(sub)
            alts = set()
            for n in range(lo, hi + 1):
                alts |= {"".join(p) for p in itertools.product(one, repeat=n)}
        elif name == "AT":
            alts = {""}  # $ anchors nothing of the text
        else:
            raise AssertionError(f"unexpected element {name}")
        out = {a + b for a in out for b in alts}
    return out


def test_every_title_holds_a_gate_word():
    titles = _expand(sre_parse.parse(R.PROBLEM_TITLE)) | _expand(sre_parse.parse(R.SUGGESTION_TITLE))
    assert "存在的主要问题" in titles and "改进措施" in titles and "不足之处" in titles
    assert len(titles) > 20
    for t in titles:
        assert any(w in t for w in R.TITLE_WORDS), t


def test_title_lines_are_the_lines_holding_a_word():
    text = "一、项目概况\n  四、存在的主要问题\n（一）资金管理不足\n五、相关建议\n附件"
    lines = F._lines(text, 0, len(text))
    assert [ln.text for ln in lines][1] == "四、存在的主要问题"
    assert F._title_lines(text, lines) == {1, 2, 3}
    assert F._title_lines("", []) == set()
    # the lines it leaves out are lines the title pattern never matches in
    for i, ln in enumerate(lines):
        if i not in F._title_lines(text, lines):
            assert not re.search(F._MAYBE_TITLE, ln.text)
    assert not re.search(F._MAYBE_TITLE, lines[2].text)  # a word alone is not a title: still tried
