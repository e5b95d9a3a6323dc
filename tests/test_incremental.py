"""Incremental runs of `run_all` on a copy of the sample corpus: unchanged files are not
extracted again; a changed file, a new extractor version and a removed file are."""

import duckdb
import pytest

import pipelines.extraction
import pipelines.inventory
import pipelines.lake
import pipelines.settings
from pipelines.run import run_all
from pipelines.settings import paths
from tests.conftest import FENGTAI, MUNICIPAL, SHIJINGSHAN

N_FILES = 3


def documents(root) -> dict[str, tuple]:
    con = duckdb.connect(str(root / "marts" / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute("select path, doc_id, status, n_reports from documents").fetchall()
    finally:
        con.close()
    return {r[0]: r[1:] for r in rows}


def n_reports(root) -> int:
    con = duckdb.connect(str(root / "marts" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("select count(*) from reports").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def built(data_root):
    p = paths(data_root)
    first = run_all(p)
    assert first["files"] == N_FILES
    assert first["extracted"] == N_FILES and first["cached"] == 0
    return data_root, p


def test_second_run_extracts_nothing(built):
    root, p = built
    before = documents(root)
    again = run_all(p)
    assert again["extracted"] == 0
    assert again["cached"] == N_FILES
    assert documents(root) == before
    assert n_reports(root) == 8


def test_changed_file_is_extracted_again_alone(built):
    root, p = built
    before = documents(root)
    target = p.raw / FENGTAI.name
    target.write_bytes(target.read_bytes() + "\n本报告为公开版。\n".encode())
    stats = run_all(p)
    assert stats["extracted"] == 1
    assert stats["cached"] == N_FILES - 1
    after = documents(root)
    assert after[FENGTAI.name][0] != before[FENGTAI.name][0]  # new doc_id (sha256 of the new bytes)
    assert after[MUNICIPAL.name] == before[MUNICIPAL.name]
    assert after[SHIJINGSHAN.name] == before[SHIJINGSHAN.name]
    assert n_reports(root) == 8


def test_touching_a_file_without_changing_bytes_extracts_nothing(built):
    root, p = built
    target = p.raw / SHIJINGSHAN.name
    target.write_bytes(target.read_bytes())  # new mtime, same bytes
    assert run_all(p)["extracted"] == 0


def test_new_extractor_version_extracts_every_file(built, monkeypatch):
    root, p = built
    new = pipelines.settings.EXTRACTOR_VERSION + "-test-bump"
    monkeypatch.setattr(pipelines.settings, "EXTRACTOR_VERSION", new)
    for module in (pipelines.lake, pipelines.extraction, pipelines.inventory):
        monkeypatch.setattr(module, "EXTRACTOR_VERSION", new)
    stats = run_all(p)
    assert stats["extracted"] == N_FILES and stats["cached"] == 0
    assert run_all(p)["extracted"] == 0  # and the new version is cached in turn
    assert n_reports(root) == 8


def test_removed_file_loses_its_documents_row_and_reports(built):
    root, p = built
    (p.raw / SHIJINGSHAN.name).unlink()
    stats = run_all(p)
    assert stats["files"] == N_FILES - 1
    assert stats["extracted"] == 0
    docs = documents(root)
    assert SHIJINGSHAN.name not in docs
    assert set(docs) == {MUNICIPAL.name, FENGTAI.name}
    assert n_reports(root) == 7  # the Shijingshan file held one report


def test_added_file_is_the_only_one_extracted(built):
    root, p = built
    (p.raw / "sub").mkdir()
    (p.raw / "sub" / "copy_with_note.txt").write_bytes(SHIJINGSHAN.read_bytes() + "\n附注。\n".encode())
    stats = run_all(p)
    assert stats["files"] == N_FILES + 1
    assert stats["extracted"] == 1
    assert documents(root)["sub/copy_with_note.txt"][1] == "parsed"
