"""Theme of a finding (问题/建议), by weighted keyword rules.

The taxonomy and the rules are data: `pipelines/rules/themes.csv` (theme, term, weight);
the taxonomy is documented in `docs/themes.md`, which also states the decision rule
implemented here. The heading is cut into clauses at ，/；; then

    score(theme) = Σ over the theme's terms t of
                   weight(t) × (HEADING_FACTOR        if t is a word of the heading's first clause
                                else HEADING_LATER_FACTOR if t is a word of a later clause
                                else 0
                                + min(occurrences of t in the body, BODY_CAP))

The theme with the highest score wins; ties go to the theme listed first in
themes.csv; a finding that matches no term is `其他`. Words come from
`pipelines.nlp.tokenize(…, hmm=False)` (our jieba tokenizer with the domain dictionary,
dictionary words only), so a term matches a whole word, never a substring of one.
"""

import csv
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from pipelines import nlp

RULES = Path(__file__).resolve().parent.parent / "rules" / "themes.csv"
OTHER = "其他"
HEADING_FACTOR = 5.0  # a term in the heading's first clause
HEADING_LATER_FACTOR = 2.0  # a term in a later clause of the heading (after ， or ；)
BODY_CAP = 2
TOKEN_HMM = False  # dictionary words only: a term is never hidden inside a guessed word
_CLAUSE = re.compile(r"[，,；;]")


@lru_cache(maxsize=1)
def rules() -> tuple[tuple[str, ...], dict[str, tuple[tuple[str, float], ...]]]:
    """(themes in taxonomy order, term -> ((theme, weight), …))."""
    themes: list[str] = []
    terms: dict[str, list[tuple[str, float]]] = {}
    with RULES.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            theme, term, w = row["theme"].strip(), row["term"].strip(), float(row["weight"])
            if theme not in themes:
                themes.append(theme)
            terms.setdefault(term.lower(), []).append((theme, w))
    return tuple(themes), {t: tuple(v) for t, v in terms.items()}


@lru_cache(maxsize=1)
def _term_rank() -> dict[str, int]:
    """Each term's place in the rules file (terms are scored in that order)."""
    return {t: i for i, t in enumerate(rules()[1])}


def themes() -> list[str]:
    """Every theme, in taxonomy order, then `其他`."""
    return list(rules()[0]) + [OTHER]


def split_heading(text: str) -> tuple[str, str]:
    """`heading。body` -> (heading, body): the text up to the first 。 is the heading."""
    text = text or ""
    i = text.find("。")
    return (text, "") if i < 0 else (text[:i], text[i + 1 :])


def _tokens(text: str) -> list[str]:
    return nlp.tokenize(text, hmm=TOKEN_HMM)


def scores(heading: str, body: str = "") -> dict[str, float]:
    clauses = [c for c in _CLAUSE.split(heading or "") if c.strip()]
    return scores_from_tokens([_tokens(c) for c in clauses], _tokens(body or ""))


def scores_from_tokens(clause_tokens: list[list[str]], body_tokens: list[str]) -> dict[str, float]:
    """Theme scores from already segmented text: the heading's clauses and the body."""
    order, terms = rules()
    out = {t: 0.0 for t in order}
    first = set(clause_tokens[0]) if clause_tokens else set()
    later = set(t for c in clause_tokens[1:] for t in c)
    counts = Counter(body_tokens)
    for term in sorted((first | later | counts.keys()) & terms.keys(), key=_term_rank().__getitem__):
        h = HEADING_FACTOR if term in first else HEADING_LATER_FACTOR if term in later else 0.0
        b = min(counts.get(term, 0), BODY_CAP)
        for theme, w in terms[term]:
            out[theme] += w * (h + b)
    return out


def classify(text: str, body: str | None = None) -> str:
    """Best theme of a finding. Called as `classify(heading, body)`, or with one string
    `classify("heading。body")`, whose part up to the first 。 is taken as the heading."""
    if body is None:
        heading, body = split_heading(text)
    else:
        heading = text
    return best_theme(scores(heading, body))


def best_theme(sc: dict[str, float]) -> str:
    order = rules()[0]
    best = max(order, key=lambda t: sc[t])  # the first of the best, in taxonomy order (max keeps the first)
    return best if sc[best] > 0 else OTHER
