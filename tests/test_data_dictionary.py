"""docs/data_dictionary.md is generated from the contract as code and can never go stale;
docs/warehouse.md is the project's copy of the shared contract."""

import pytest

from pipelines import schema
from pipelines.settings import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"
SHARED_CONTRACT = PROJECT_ROOT.parent / "shared" / "spec" / "warehouse.md"


def test_committed_data_dictionary_is_the_generated_one():
    committed = (PROJECT_ROOT / schema.DICTIONARY_PATH).read_text(encoding="utf-8")
    assert committed == schema.data_dictionary_markdown(), (
        "docs/data_dictionary.md is stale: run `make dictionary` (python -m pipelines.schema --markdown)"
    )


def test_data_dictionary_lists_every_column_with_type_and_comment():
    text = schema.data_dictionary_markdown()
    for table, (_, cols) in schema.TABLES.items():
        assert f"### `{table}` — " in text
        for c in cols:
            assert f"| `{c.name}` | " in text and c.comment in text, (table, c.name)
    assert "| `province` | VARCHAR | string | 省级行政区 |" in text
    assert "### `mart_district_year` — 地区年度对比" in text


def test_cli_prints_the_dictionary(capsys):
    assert schema.main(["--markdown"]) == 0
    assert capsys.readouterr().out == schema.data_dictionary_markdown()


def _extends(base: str, extended: str) -> list[str]:
    """The lines of `base` that `extended` lacks, in order: the project's copy may add lines
    anywhere but must keep every line of the shared contract, in the same order."""
    lines, at, missing = extended.splitlines(), 0, []
    for line in base.splitlines():
        try:
            at = lines.index(line, at) + 1
        except ValueError:
            missing.append(line)
    return missing


def test_extends_keeps_every_line_in_order():
    assert _extends("a\nb\nc", "a\nx\nb\nc\ny") == []
    assert _extends("a\nb\nc", "a\nc") == ["b"]
    assert _extends("a\nb", "b\na") == ["b"]  # order matters


def test_project_copy_extends_the_shared_contract():
    if not SHARED_CONTRACT.is_file():
        pytest.skip(f"the shared contract is not beside the project at {SHARED_CONTRACT} (a clone elsewhere)")
    ours = (DOCS / "warehouse.md").read_text(encoding="utf-8")
    missing = _extends(SHARED_CONTRACT.read_text(encoding="utf-8"), ours)
    assert missing == [], f"docs/warehouse.md drops or reorders lines of the shared contract: {missing[:3]}"
