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


@pytest.mark.skipif(not SHARED_CONTRACT.is_file(), reason="the shared contract is not checked out beside the project")
def test_project_copy_of_the_contract_is_current():
    assert (DOCS / "warehouse.md").read_text(encoding="utf-8") == SHARED_CONTRACT.read_text(encoding="utf-8")
