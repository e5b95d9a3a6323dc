"""Full-text search over findings: jieba-segmented query against DuckDB's FTS index."""

import re

from pipelines import nlp
from pipelines.settings import SQL_DIR

SEARCH_SQL = SQL_DIR / "search" / "findings_search.sql"


def segment_query(query: str) -> str:
    return nlp.segment_for_fts(query)


def sentence_with(text: str, term: str) -> str | None:
    """The sentence of `text` that contains `term` (or its first token), for display."""
    if not text:
        return None
    probes = [term] + nlp.tokenize(term)
    for probe in probes:
        i = text.find(probe)
        if i != -1:
            left = max(text.rfind(c, 0, i) for c in "。；！？\n") + 1
            rights = [j for j in (text.find(c, i) for c in "。；！？\n") if j != -1]
            return text[left : (min(rights) + 1 if rights else len(text))].strip()
    return None


def search(con, query: str, limit: int = 20) -> list[dict]:
    """Findings containing every token of `query`, best first (BM25). `con` must have FTS loaded."""
    q = segment_query(query)
    required = nlp.tokenize(query)
    if not q.strip() or not required:
        return []
    rel = con.execute(SEARCH_SQL.read_text(encoding="utf-8"), [q, required, limit])
    cols = [d[0] for d in rel.description]
    out = []
    for row in rel.fetchall():
        d = dict(zip(cols, row))
        d["sentence"] = sentence_with(d["heading"] or "", query) or sentence_with(d["body"] or "", query)
        out.append(d)
    return out


def squash(s: str | None, n: int = 80) -> str:
    s = re.sub(r"\s+", " ", s or "")
    return s if len(s) <= n else s[: n - 1] + "…"
