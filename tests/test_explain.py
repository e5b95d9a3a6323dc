"""`bpe explain FILE`: document kind and text method, each report's kind, scope and place, and the
rule (`facts.source`) behind every evidence line; the README's example is the real output."""

import re

import pytest

from pipelines.cli import main
from pipelines.settings import PROJECT_ROOT
from tests.conftest import MUNICIPAL, SHIJINGSHAN


def explain(path, capsys) -> list[str]:
    assert main(["explain", str(path)]) == 0
    return capsys.readouterr().out.splitlines()


@pytest.fixture(scope="module")
def shijingshan():
    from pipelines.process import process_bytes  # warm the extractor once (jieba, gazetteer)

    process_bytes(SHIJINGSHAN.name, SHIJINGSHAN.read_bytes())


def field(lines: list[str], name: str) -> str:
    hits = [ln.split(None, 1)[1] for ln in lines if ln.startswith(f"  {name} ")]
    assert len(hits) == 1, (name, hits)
    return hits[0].strip()


def test_header_names_the_document_kind_and_text_method(shijingshan, capsys):
    lines = explain(SHIJINGSHAN, capsys)
    assert lines[1].startswith("status=parsed doc_kind=evaluation_report text_method=text format=txt ")


def test_each_report_shows_kind_scope_and_place(shijingshan, capsys):
    lines = explain(SHIJINGSHAN, capsys)
    assert field(lines, "report_kind") == "evaluation_report"
    assert field(lines, "scope") == "项目"
    assert (field(lines, "district"), field(lines, "province"), field(lines, "city"), field(lines, "adcode")) == (
        "石景山区", "北京市", "—", "110107")


def test_evidence_lines_name_the_rule_that_found_the_value(shijingshan, capsys):
    lines = explain(SHIJINGSHAN, capsys)
    evidence = [ln for ln in lines if re.match(r"    \S+ = ", ln)]
    assert evidence and all(re.search(r"\]  [a-z_]+  «", ln) for ln in evidence), evidence
    assert any(ln.startswith("    total_score = 91.5 分  [3245:3249]  narrative  «") for ln in evidence)
    assert any(ln.startswith("    dimension:产出指标 = 57.58 分  [3312:3464]  table_row  «") for ln in evidence)


def test_government_wide_reductions_show_their_place(capsys):
    lines = explain(MUNICIPAL, capsys)
    assert " doc_kind=explanation " in lines[1]
    row = next(ln for ln in lines if ln.startswith("  北京市 2024 事前绩效评估:"))
    assert row.endswith("(province=北京市 city=— adcode=110000)")


def readme_example() -> list[str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Check one file", 1)[1]
    block = re.search(r"```\n(# data/raw/003_c38f57d479bd6754\.txt\n.*?)```", section, re.S)
    assert block, "the README's explain example is missing"
    return block.group(1).splitlines()


def test_readme_example_is_the_real_output_abbreviated(shijingshan, capsys, monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    out = explain("data/raw/003_c38f57d479bd6754.txt", capsys)
    i = 0
    for line in readme_example():
        # the README shortens long sentences: «… up to here…»
        prefix = line[: line.index("…»")] if line.endswith("…»") else None
        while i < len(out) and not (out[i].startswith(prefix) if prefix else out[i] == line):
            i += 1
        assert i < len(out), f"README line not in the output (in this order): {line!r}"
        i += 1
