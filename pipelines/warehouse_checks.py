"""The warehouse's checks that one SQL query answers, as data: the Dagster asset checks run them
after every build (`pipelines/assets.py`) and `bpe status` reports them. Plain: no Dagster import."""

# Checks answered by one SQL query: (check name, asset, severity, query returning the failing rows).
SQL_CHECKS = [
    ("dimension_scores_add_up", "mart_report_scores", "WARN",
     "select report_id, expected, found from discrepancies where \"check\" = 'dimension_sum'"),
    ("grade_matches_band", "mart_report_scores", "WARN",
     "select report_id, expected, found from discrepancies where \"check\" = 'grade_band'"),
    ("report_has_district_and_year", "mart_report_scores", "ERROR",
     "select report_id, title from reports where district is null or report_year is null"),
    ("no_rejected_files", ["warehouse", "documents"], "WARN",
     "select path, reason from documents where status = 'rejected' and reason not like '已排除%' order by path"),
    # A report row needs a project (its name, else its title) and at least one figure of its own;
    # a row without either is a heading or a stray table mistaken for a report.
    ("reports_have_evidence", ["warehouse", "reports"], "ERROR",
     "select report_id, doc_id, title, "
     "concat_ws('; ', case when no_project then 'no project_name or title' end, "
     "case when no_figure then 'no total_score, grade, budget_wan, received_wan or spent_wan' end) as missing "
     "from (select *, project_name is null and title is null as no_project, "
     "total_score is null and grade is null and budget_wan is null and received_wan is null and spent_wan is null "
     "as no_figure from reports) "
     "where no_project or no_figure order by doc_id, seq"),
    # The same report loaded from two files (the same title, place, year and score in two documents).
    ("no_duplicate_reports", ["warehouse", "reports"], "WARN",
     "select r.title, r.district, r.report_year, r.total_score, count(distinct r.doc_id) as files, "
     "string_agg(distinct d.path, ' | ') as paths from reports r join documents d using (doc_id) "
     "where r.title is not null group by all having count(distinct r.doc_id) > 1 order by 1"),
    # Files not loaded because they repeat another (same bytes, or the same text in another encoding).
    ("duplicate_files", ["warehouse", "documents"], "WARN",
     "select path, reason from documents where status = 'duplicate' order by path"),
    ("documents_have_kind", ["warehouse", "documents"], "ERROR",
     "select path, status from documents where status not in ('rejected', 'duplicate') and doc_kind is null order by path"),
]


def failing(con) -> list[tuple[str, str, int, list]]:
    """(check, severity, failing rows, first rows) of every check that fails on an open warehouse."""
    out = []
    for name, _asset, severity, sql in SQL_CHECKS:
        bad = con.execute(sql).fetchall()
        if bad:
            out.append((name, severity, len(bad), bad[:5]))
    return out


def raw_listing(raw_dir) -> set[str]:
    """The raw folder listed independently of `pipelines.inventory` (os.walk, not scandir recursion),
    for the check that every entry has a `documents` row: every entry that is not a folder (files,
    links, FIFOs …), a link to a folder, a folder that cannot be listed (`name/`), and each
    version-control or cache folder as one entry (`name/`). Paths as `documents.path` shows them."""
    import os

    from pipelines.inventory import HIDDEN_DIRS

    out: set[str] = set()
    root = os.fsencode(raw_dir)
    if not os.path.isdir(root):
        return out

    def shown(p: bytes) -> str:
        return os.path.relpath(p, root).decode("utf-8", "backslashreplace")

    def unlistable(exc: OSError) -> None:
        if exc.filename is not None and os.fsencode(exc.filename) != root:
            out.add(shown(os.fsencode(exc.filename)) + "/")

    for d, dirs, files in os.walk(root, onerror=unlistable, followlinks=False):
        # the folder's shown path once, and each name joined to it (relpath per file was most of
        # the listing's time); "/" is never part of a multi-byte character, so decoding the two
        # apart gives the same text as decoding the joined path
        prefix = "" if d == root else shown(d) + "/"
        for name in list(dirs):
            full = os.path.join(d, name)
            if os.path.islink(full):
                out.add(prefix + name.decode("utf-8", "backslashreplace"))
                dirs.remove(name)
            elif name.decode("utf-8", "surrogateescape") in HIDDEN_DIRS:
                out.add(prefix + name.decode("utf-8", "backslashreplace") + "/")
                dirs.remove(name)
        out.update(prefix + name.decode("utf-8", "backslashreplace") for name in files)
    return out
