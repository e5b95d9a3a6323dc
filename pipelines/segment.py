"""Split a document's normalized text into its explanation section(s) and its reports.

A raw file may be one report, or a bundle: an explanation of a government's
budget-performance work (关于…预算绩效管理…的说明) followed by several evaluation reports.
Not reports: the explanation, a cover page, a table of contents (lines ending in ···· N),
appendix titles (附件：…, …评价指标体系及评分情况表).

A report title is a line ending in 评价报告 / 评价的报告 / 自评报告, possibly preceded by one
or two short lines that continue it (department on one line, project on the next).
A candidate is kept as a report only if its body reads like one (a score statement or the
usual numbered sections), which drops covers such as a bundle's own title page.
"""

from bisect import bisect_right
import re
from dataclasses import dataclass, field

from pipelines.text import TITLE_STOPS, lines_with_offsets

TITLE_END = re.compile(
    r"(?:评价|自评价?)(?:总结)?(?:的)?报告(?:\s*[(（]?\s*(?:摘要|简本|公开版)\s*[)）]?|\s*[(（][^()（）]{2,30}[)）])?$"
)
# 关于2024年预算绩效管理有关情况的说明 / 2024年预算绩效管理工作情况报告 … (a heading inside a report,
# such as （二）预算绩效管理情况, starts with its number and is not one).
EXPLANATION_TITLE = re.compile(
    r"^(?:关于|(?:北京市)?[\u4e00-\u9fff]{0,8}?(?:19|20)\d{2}\s*年度?)[^。；，]{0,40}?"
    r"(?:预算绩效|绩效管理|绩效工作)[^。；，]{0,20}(?:说明|情况|情况的?报告|工作报告)$"
)
BULLET = re.compile(r"^\s*[-•·●▪]\s")  # a web page's list item (menus, metadata), never a title
TOC_LINE = re.compile(r"(?:[·.…]{3,}|…{2,})\s*\d*\s*$")
HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]|第[一二三四五六七八九十]+[章节部分])")
SENTENCE_END = TITLE_STOPS
REPORT_BODY = re.compile(r"得分|评价结果|评分|绩效评价情况|综合评价|评价结论")
MIN_REPORT_CHARS = 200
MAX_TITLE_LINE = 80
MAX_CONTINUATION_LINE = 40


@dataclass
class Section:
    kind: str  # "explanation" | "report"
    title: str
    start: int  # offset of the first title character
    body_start: int  # offset just after the title
    end: int
    seq: int = 0
    title_lines: list[str] = field(default_factory=list)


@dataclass
class Segmented:
    explanations: list[Section]
    reports: list[Section]


def _toc_line(s: str) -> bool:
    """`TOC_LINE.search(s)`, not tried on a line without any of its leader characters (most lines)."""
    return ("." in s or "·" in s or "…" in s) and TOC_LINE.search(s) is not None


def _explanation_title(s: str) -> bool:
    """`EXPLANATION_TITLE.match(s)`; every one names 绩效, so a line without it is not tried."""
    return "绩效" in s and EXPLANATION_TITLE.match(s) is not None


def _is_title_end(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > MAX_TITLE_LINE or line.startswith("\t"):
        return False
    if s.startswith("附件") or s[-1] in SENTENCE_END or _toc_line(s):
        return False
    return not BULLET.match(line) and bool(TITLE_END.search(s))


def names_something(title: str) -> bool:
    """A bare "绩效自评报告" (a page's menu item, a category) or "资金绩效评价报告" (the last line of a
    title wrapped over a blank line) names no report."""
    m = TITLE_END.search(title)
    head = re.sub(r"(?:项目|支出|绩效|整体|部门|单位|资金|经费|专项)", "", title[: m.start()] if m else title)
    return len(re.findall(r"[\u4e00-\u9fff]", head)) >= 2


def _is_continuation(line: str) -> bool:
    s = line.strip()
    if not s or line.startswith("\t") or len(s) > MAX_CONTINUATION_LINE or BULLET.match(line):
        return False
    if s[-1] in SENTENCE_END or s.startswith("附件") or _toc_line(s) or HEADING.match(s):
        return False
    if re.search(r"\d{4}\s*年\s*\d{1,2}\s*月", s) and len(s) < 14:  # a date line of a cover
        return False
    return not TITLE_END.search(s)


def split_document(text: str) -> Segmented:
    lines = lines_with_offsets(text)
    candidates: list[tuple[int, int, list[str]]] = []  # (start, body_start, title lines)
    explanations_at: list[tuple[int, int, str]] = []
    for i, (off, line) in enumerate(lines):
        if "报告" not in line and "绩效" not in line:
            continue  # neither an explanation's title (绩效) nor a report title's last line (…报告)
        s = line.strip()
        if _explanation_title(s) and not TITLE_END.search(s):
            explanations_at.append((off, off + len(line), s))
            continue
        if not _is_title_end(line):
            continue
        first = i
        # Up to two continuation lines directly above (no blank line in between).
        for _ in range(2):
            j = first - 1
            if j < 0 or not _is_continuation(lines[j][1]):
                break
            first = j
        title_lines = [lines[k][1].strip() for k in range(first, i + 1)]
        if not names_something("".join(title_lines)):
            continue
        candidates.append((lines[first][0], off + len(line), title_lines))

    boundaries = sorted([c[0] for c in candidates] + [e[0] for e in explanations_at])

    def end_of(start: int) -> int:  # the next boundary after `start` (binary search: linear overall)
        i = bisect_right(boundaries, start)
        return boundaries[i] if i < len(boundaries) else len(text)

    explanations = [
        Section("explanation", title, start, body, end_of(start)) for start, body, title in explanations_at
    ]
    reports: list[Section] = []
    for start, body_start, title_lines in candidates:
        end = end_of(start)
        body = text[body_start:end]
        if len(body.strip()) < MIN_REPORT_CHARS:
            continue
        reports.append(
            Section("report", "".join(title_lines), start, body_start, end, len(reports) + 1, title_lines)
        )
    if not reports and not explanations and REPORT_BODY.search(text) and len(text.strip()) >= MIN_REPORT_CHARS:
        # A lone report whose title we do not recognise: the whole text, titled by its first line.
        first_line = next((ln.strip() for _, ln in lines if ln.strip()), "")
        reports.append(Section("report", first_line[:MAX_TITLE_LINE], 0, 0, len(text), 1, [first_line]))
    return Segmented(explanations, reports)
