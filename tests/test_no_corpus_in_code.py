"""Extraction code must not know the sample corpus: no project or body names, numbers or file names."""

import re
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "data" / "raw"
# The fixtures written after real texts (and the variants): their names and figures stay out of the code too.
FIXTURES = [Path(__file__).resolve().parent / "fixtures" / d for d in ("real_shapes", "variants")]
CODE = Path(__file__).resolve().parent.parent / "pipelines"
# Numbers that are structural (window sizes, limits, years of the calendar), not values from the corpus.
STRUCTURAL = {"1000", "1500", "2000", "3000", "10000", "0.0001", "100.0", "10.0"} | {str(y) for y in range(1990, 2040)}


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.txt")) + [p for d in FIXTURES for p in sorted(d.glob("*.txt"))]


def corpus_markers() -> set[str]:
    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in corpus_files())
    numbers = {n for n in re.findall(r"\d+\.\d+|\d{4,}", text) if len(n) >= 4} - STRUCTURAL  # "2.5" identifies nothing
    quoted = {q for q in re.findall(r"“([^”]{4,30})”", text) if not re.fullmatch(r"[优良中差]|三重一大", q)}
    bodies = set(re.findall(r"(北京市[\u4e00-\u9fff]{2,20}?(?:局|委员会|中心|办公室))", text))
    names = {p.name for p in corpus_files()} | {p.stem for p in corpus_files()}
    return numbers | quoted | bodies | names


def test_extraction_code_contains_nothing_from_the_corpus():
    markers = corpus_markers()
    assert len(markers) > 100  # the scan really looks at something
    found = {}
    for path in CODE.rglob("*"):
        if not path.is_file() or path.suffix not in {".py", ".csv", ".txt"}:
            continue
        src = path.read_text(encoding="utf-8")
        hits = [m for m in markers if re.search(rf"(?<![\d.]){re.escape(m)}(?![\d])", src)]
        if hits:
            found[str(path.relative_to(CODE))] = sorted(hits)[:10]
    assert found == {}
