"""Chinese tokenization for the warehouse: one jieba tokenizer we own.

- `get_tokenizer(cache_dir=None)`: the module's own `jieba.Tokenizer` (never the global
  one), built lazily once, with its prefix-dict cache in `cache_dir` (set by the run to
  `<data root>/.state/jieba` with `set_cache_dir`; else the user's own `~/.cache/bpe/jieba`,
  never a shared temp folder), in a file named by the hash of the dictionary it was built from,
  and the domain dictionary
  `pipelines/rules/userdict.txt` loaded. Building it prints nothing (jieba's logger is
  set to WARNING).
- `get_segmenter()`: the dictionary-only segmenter of the extraction (HMM off): `rjieba`, the
  Rust jieba-rs binding, with jieba's own dictionary and the same domain words. On HMM-off cuts
  it gives jieba's tokens exactly (tests/test_nlp_segmenter.py checks it on the sample corpus and
  the fixtures), about 14× faster, and loads in a fraction of jieba's time and memory. Used for
  every finding (`analyze_finding`) and `tokenize(…, hmm=False)`; jieba stays where HMM guessing
  is wanted (search queries, `keywords`), where the two differ on number-and-dash runs.
- `tokenize(text) -> list[str]`: words in order, without stop words
  (`pipelines/rules/stopwords.txt`), punctuation, whitespace and numbers.
- `segment_for_fts(text) -> str`: space-joined tokens for DuckDB full-text search,
  including search-mode sub-words (`cut_for_search`: 满意度调查 → 满意 满意度 调查 满意度调查).
  Index with `stemmer='none', stopwords='none', ignore=''` and segment queries the same way.
- `compute_idf(docs) -> dict[str, float]`: smoothed IDF over a collection,
  `ln((n + 1) / (df + 1)) + 1`.
- `keywords(text, idf=None, k=5) -> list[str]`: top-k TF-IDF words (2+ characters).
  With `idf=None`, jieba's bundled IDF table is used.
"""

import hashlib
import logging
import math
import os
import re
import threading
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

import jieba
import rjieba

RULES_DIR = Path(__file__).resolve().parent / "rules"
USERDICT = RULES_DIR / "userdict.txt"
STOPWORDS = RULES_DIR / "stopwords.txt"

_LOCK = threading.Lock()
_TOKENIZER: jieba.Tokenizer | None = None
_SEGMENTER: "rjieba.Jieba | None" = None
_STOP: frozenset | None = None
_JIEBA_IDF: tuple[dict, float] | None = None

_NUMBER = re.compile(r"^[\d.,，%‰+\-−~～/:]+$|^[零〇一二三四五六七八九十百千万亿两]+$")


_CACHE_DIR: Path | None = None


def default_cache_dir() -> Path:
    """The folder of jieba's prefix-dict cache: the one the run set (`set_cache_dir`), else the
    user's cache folder (XDG_CACHE_HOME or ~/.cache)/bpe/jieba, private to the user."""
    if _CACHE_DIR is not None:
        return _CACHE_DIR
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "bpe" / "jieba"


def set_cache_dir(path: str | Path) -> None:
    """Where the tokenizer keeps its cache (the run passes <data root>/.state/jieba)."""
    global _CACHE_DIR
    _CACHE_DIR = Path(path)


@lru_cache(maxsize=1)
def _dict_hash() -> str:
    """The hash of jieba's dictionary and version: a cache built from another dictionary is never read."""
    h = hashlib.sha256(f"jieba {getattr(jieba, '__version__', '')}\n".encode())
    with jieba.get_dict_file() as fh:
        h.update(fh.read())
    return h.hexdigest()[:16]


def get_tokenizer(cache_dir: str | Path | None = None) -> jieba.Tokenizer:
    """The module's tokenizer, built on first use. `cache_dir` only matters on that first
    call (or after `reset()`)."""
    global _TOKENIZER
    if _TOKENIZER is not None:
        return _TOKENIZER
    with _LOCK:
        if _TOKENIZER is None:
            jieba.setLogLevel(logging.WARNING)  # "Building prefix dict …" goes nowhere
            tmp = Path(cache_dir) if cache_dir else default_cache_dir()
            tmp.mkdir(parents=True, exist_ok=True, mode=0o700)
            tk = jieba.Tokenizer()
            tk.tmp_dir = str(tmp)
            tk.cache_file = f"jieba-{_dict_hash()}.cache"
            tk.initialize()
            tk.load_userdict(str(USERDICT))
            _TOKENIZER = tk
    return _TOKENIZER


def user_words() -> list[tuple[str, int | None, str | None]]:
    """The domain dictionary as (word, frequency or None, tag or None), as jieba reads it."""
    out = []
    for line in USERDICT.read_text(encoding="utf-8").splitlines():
        parts = line.strip().split()
        if not parts:
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
        out.append((parts[0], freq, tag))
    return out


def get_segmenter() -> "rjieba.Jieba":
    """The HMM-off segmenter (rjieba with jieba's dictionary and the domain words), built once."""
    global _SEGMENTER
    if _SEGMENTER is not None:
        return _SEGMENTER
    with _LOCK:
        if _SEGMENTER is None:
            seg = rjieba.Jieba()
            for word, freq, tag in user_words():
                seg.add_word(word, freq, tag)
            _SEGMENTER = seg
    return _SEGMENTER


def reset() -> None:
    """Forget the built tokenizer and segmenter (tests; a different cache dir)."""
    global _TOKENIZER, _SEGMENTER
    with _LOCK:
        _TOKENIZER = None
        _SEGMENTER = None
        _sub_words.cache_clear()
        _TOKEN_INFO.clear()


def stopwords() -> frozenset:
    global _STOP
    if _STOP is None:
        words = STOPWORDS.read_text(encoding="utf-8").split()
        _STOP = frozenset(w.strip() for w in words if w.strip())
    return _STOP


@lru_cache(maxsize=65536)
def _is_punct_or_space(tok: str) -> bool:
    return all(unicodedata.category(c)[0] in "PSZC" for c in tok)


def _keep(tok: str, stop: frozenset) -> bool:
    return bool(tok) and not _is_punct_or_space(tok) and not _NUMBER.match(tok) and tok not in stop


def tokenize(text: str, hmm: bool = True) -> list[str]:
    """Words of `text` in order, minus stop words, punctuation, whitespace and numbers.
    `hmm=False` turns off jieba's guessing of unknown words: only dictionary words and
    single characters come out, so a dictionary term is never swallowed by a guessed
    word (后运维) — what rule matching wants."""
    if not text:
        return []
    stop = stopwords()
    out = []
    for tok in (get_tokenizer().cut(text, HMM=True) if hmm else get_segmenter().cut(text, False)):
        tok = tok.strip().lower()
        if _keep(tok, stop):
            out.append(tok)
    return out


@lru_cache(maxsize=100_000)
def _sub_words(w: str) -> tuple[str, ...]:
    """Search-mode words of a word, as jieba's `cut_for_search` builds them: a word longer than two
    characters also yields its 2-, then 3-character sub-words that are in the dictionary
    (dictionary look-ups only, no second segmentation pass)."""
    known = get_segmenter().has_word
    out = [w[i : i + 2] for i in range(len(w) - 1) if known(w[i : i + 2])]
    if len(w) > 3:
        out += [w[i : i + 3] for i in range(len(w) - 2) if known(w[i : i + 3])]
    return tuple(out)


_CLAUSE_SPLIT = re.compile(r"[，,；;]")
# raw token -> (word or None when it is not kept as a token, its search-mode words joined by spaces):
# a finding's words repeat across the corpus, so each is normalized, filtered and expanded once
# per process, then looked up.
_TOKEN_INFO: dict[str, tuple[str | None, str]] = {}


def _token_info(raw: str) -> tuple[str | None, str]:
    """(the token's word if kept as a token else None, its search words joined by " ")."""
    got = _TOKEN_INFO.get(raw)
    if got is None:
        if len(_TOKEN_INFO) > 200_000:
            _TOKEN_INFO.clear()
        w = raw.strip().lower()
        stop = stopwords()
        words = ((*_sub_words(w), w) if len(w) > 2 else (w,)) if w else ()
        # every search word is non-empty (an empty one counts as punctuation), so joining the
        # tokens' joined words (the non-empty ones) gives the words joined one by one
        search = " ".join(x for x in words if not _is_punct_or_space(x) and x not in stop)
        got = _TOKEN_INFO[raw] = (w if _keep(w, stop) else None, search)
    return got


def _infos(seg, text: str) -> list[tuple[str | None, str]]:
    """`_token_info` of every token of `text` (dictionary words, HMM off), looked up in place."""
    get, info = _TOKEN_INFO.get, _token_info
    return [get(t) or info(t) for t in seg.cut(text, False)]


def analyze_finding(heading: str, body: str):
    """One segmentation pass over a finding (dictionary words, HMM off) giving everything the
    pipeline needs: (heading clause tokens, body tokens, all tokens, search text).

    The heading is cut clause by clause (at ，；) so the theme rules can weight its first clause.
    Search words are the words and their dictionary sub-words (`_sub_words`), minus stop words
    and punctuation."""
    seg = get_segmenter()
    clause_info = [_infos(seg, c) for c in _CLAUSE_SPLIT.split(heading or "") if c.strip()]
    body_info = _infos(seg, body) if body else []
    clause_tokens = [[w for w, _ in ci if w is not None] for ci in clause_info]
    body_tokens = [w for w, _ in body_info if w is not None]
    all_tokens = [t for ct in clause_tokens for t in ct] + body_tokens
    search = [x for ci in clause_info for _, x in ci if x] + [x for _, x in body_info if x]
    return clause_tokens, body_tokens, all_tokens, " ".join(search)


def segment_for_fts(text: str) -> str:
    """Space-joined search-mode tokens (words and their dictionary sub-words)."""
    if not text:
        return ""
    stop = stopwords()
    out = []
    for tok in get_tokenizer().cut_for_search(text):
        tok = tok.strip().lower()
        if tok and not _is_punct_or_space(tok) and tok not in stop:
            out.append(tok)
    return " ".join(out)


def compute_idf(docs: list[str]) -> dict[str, float]:
    """Smoothed inverse document frequency of every token of `docs`."""
    n = len(docs)
    df: Counter = Counter()
    for d in docs:
        df.update(set(tokenize(d)))
    return {t: math.log((n + 1) / (c + 1)) + 1.0 for t, c in df.items()}


def _jieba_idf() -> tuple[dict, float]:
    global _JIEBA_IDF
    if _JIEBA_IDF is None:
        from jieba.analyse.tfidf import DEFAULT_IDF, IDFLoader

        _JIEBA_IDF = IDFLoader(DEFAULT_IDF).get_idf()
    return _JIEBA_IDF


def keywords(text: str, idf: dict[str, float] | None = None, k: int = 5) -> list[str]:
    """Top-k words of `text` by TF × IDF (ties: first occurrence first). Words of one
    character are not keywords. A word missing from `idf` gets the largest IDF in it
    (it is rarer than anything in the collection)."""
    toks = [t for t in tokenize(text) if len(t) >= 2]
    if not toks or k <= 0:
        return []
    if idf is None:
        table, default = _jieba_idf()
    else:
        table, default = idf, (max(idf.values()) if idf else 1.0)
    tf = Counter(toks)
    first = {}
    for i, t in enumerate(toks):
        first.setdefault(t, i)
    ranked = sorted(tf, key=lambda t: (-tf[t] * table.get(t, default), first[t]))
    return ranked[:k]
