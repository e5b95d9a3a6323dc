"""recurring_findings and mart_finding_themes on real text: the Fengtai bundle, and the same bundle
re-dated as the next year's disclosure (same departments raising the same themes a year later)."""

import pytest

from pipelines.run import run_all
from pipelines.settings import paths
from tests.conftest import FENGTAI, query


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    r = tmp_path_factory.mktemp("recurring")
    (r / "raw").mkdir()
    text = FENGTAI.read_text(encoding="utf-8")
    (r / "raw" / "fengtai_2024.txt").write_text(text, encoding="utf-8")
    next_year = text.replace("2024年，我区按照", "2025年，我区按照", 1)
    assert next_year != text
    (r / "raw" / "fengtai_2025.txt").write_text(next_year, encoding="utf-8")
    run_all(paths(r))
    return r


def q(root, sql):
    return query(root, sql)


def test_recurring_by_department_and_district(root):
    dept = q(root, "select subject, theme, first_year, repeat_year, n_first, n_repeat from recurring_findings "
                   "where level = 'department' order by subject, theme")
    themes_2024 = q(root, "select r.department, f.theme, count(*) from findings f join reports r using (report_id) "
                          "where f.kind = '问题' and r.report_year = 2024 and f.theme <> '其他' group by all order by 1, 2")
    # every (department, theme) of 2024 recurs in 2025 with the same count
    assert [(d, t, 2024, 2025, n, n) for d, t, n in themes_2024] == dept
    assert len(dept) >= 4
    district = q(root, "select subject, count(*) from recurring_findings where level = 'district' group by subject")
    assert district == [("丰台区", len({t for _, t, _ in themes_2024}))]


def test_finding_themes_mart_counts_each_year(root):
    rows = q(root, "select report_year, kind, sum(n_findings) from mart_finding_themes group by all order by 1, 2")
    assert rows == [(2024, "建议", 14), (2024, "问题", 14), (2025, "建议", 14), (2025, "问题", 14)]
