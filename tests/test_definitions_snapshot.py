"""The shape of the Dagster code location — asset keys with their upstream, checks, jobs, schedules
and sensors — against a committed snapshot, so that a change to the wiring is a visible change of
tests/snapshots/dagster_definitions.json (rewrite it with `python -m tests.test_definitions_snapshot`)."""

import json
from pathlib import Path

SNAPSHOT = Path(__file__).parent / "snapshots" / "dagster_definitions.json"


def shape() -> dict:
    from pipelines.orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "upstream": sorted(k.to_user_string() for k in node.parent_keys),
            "freshness": node.freshness_policy is not None,
        }
    checks = sorted(f"{k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys)
    return {
        "code_location": "bpe",
        "assets": assets,
        "checks": checks,
        "jobs": sorted(j.name for j in defs.resolve_all_job_defs() if not j.name.startswith("__")),
        "schedules": {s.name: [s.cron_schedule, s.execution_timezone] for s in defs.get_repository_def().schedule_defs},
        "sensors": sorted(s.name for s in defs.get_repository_def().sensor_defs),
    }


def test_definitions_match_the_snapshot():
    assert shape() == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_the_shape_as_designed():
    # read by hand from the design, not from the code: the chain, one mart's upstream, the schedule
    s = shape()
    a = s["assets"]
    assert a["raw_documents"]["upstream"] == [] and a["parsed_reports"]["upstream"] == ["raw_documents"]
    assert a["lake/reports"]["upstream"] == ["parsed_reports"] and a["warehouse/reports"]["upstream"] == ["lake/reports"]
    assert a["mart_indicator_loss"]["upstream"] == ["warehouse/indicator_scores", "warehouse/reports"]
    assert all(v["freshness"] for k, v in a.items() if k.startswith("mart_") or k == "recurring_findings")
    assert "warehouse/reports:reports_have_evidence" in s["checks"] and len(s["checks"]) == 9
    assert s["jobs"] == ["bpe_job"] and s["schedules"] == {"nightly": ["0 2 * * *", "Asia/Shanghai"]}


def test_code_location_is_named_bpe():
    import tomllib

    tool = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["dagster"]
    assert tool == {"module_name": "pipelines.orchestration.definitions", "code_location_name": "bpe"}




def test_the_sql_ships_with_the_package():
    """A non-editable install has no project folder: the SQL must be package data of `pipelines`."""
    import fnmatch
    import tomllib

    import pipelines
    from pipelines.settings import SQL_DIR

    package = Path(pipelines.__file__).parent
    assert SQL_DIR == package / "sql" and (SQL_DIR / "marts" / "mart_district_year.sql").is_file()
    globs = tomllib.loads((package.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]["pipelines"]
    files = [f.relative_to(package).as_posix() for f in SQL_DIR.rglob("*.sql")]
    assert len(files) >= 20
    assert all(any(fnmatch.fnmatch(f, g) and f.count("/") == g.count("/") for g in globs) for f in files)


if __name__ == "__main__":  # pragma: no cover
    SNAPSHOT.write_text(json.dumps(shape(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"written {SNAPSHOT}")
