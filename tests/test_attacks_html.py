"""Attacks on the HTML reader (`formats.read_html` -> `pipelines.ingest.html`, in the worker).

- Pathological pages of inline elements and whitespace runs: the text extraction was quadratic
  in a run of spaces spread over inline tags (a 1 MB page took about 30 s, 3 MB minutes). The
  pages below are read in full with the exact text; how fast is measured by a benchmark, not here.
- Deep nesting: libxml2 stopped building the tree at 255 levels and the page was rejected as
  "no text". It is read up to the parser's limit (`html.PARSER_MAX_DEPTH`) and rejected as nested
  too deeply beyond it, never with its text silently dropped.
- A few bytes of rowspans multiplied by many rows gave gigabytes of empty cells; they are
  counted against a budget proportional to the page.
- The parse runs in the bounded worker (time and memory caps), like the binary formats.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipelines.ingest import formats, html
from pipelines.ingest.formats import Limits, Rejected, read_html
from pipelines.ingest.read import read_raw

MB = 1024 * 1024


def page_of(unit: str, size: int, head: str = "<html><body><p>", tail: str = "</p></body></html>") -> tuple[bytes, int]:
    """A page of `size` bytes: `unit` repeated between `head` and `tail`; and how many times."""
    n = (size - len(head.encode()) - len(tail.encode())) // len(unit.encode())
    return (head + unit * n + tail).encode("utf-8"), n


# --------------------------------------------------------------------------- pathological pages

PATHOLOGICAL = {
    # one run of spaces 3 MB long, spread over inline tags, between two words (was quadratic)
    "space-runs-across-inline-tags": (
        lambda: page_of("<span> </span> ", 3 * MB, "<html><body><p><span>w</span>", "<span>w</span></p></body></html>"),
        lambda n: "w w\n",
    ),
    "inline-elements": (lambda: page_of("<span>a</span> ", 3 * MB), lambda n: " ".join(["a"] * n) + "\n"),
    "inline-elements-newlines": (lambda: page_of("<b>x</b>\n", 3 * MB), lambda n: " ".join(["x"] * n) + "\n"),
    # newline markers between CJK characters vanish
    "cjk-inline-newlines": (lambda: page_of("<span>中</span>\n", 3 * MB), lambda n: "中" * n + "\n"),
    "tiny-text-nodes": (lambda: page_of("a<i></i>", 3 * MB), lambda n: "a" * n + "\n"),
    "whitespace-text-nodes": (
        lambda: page_of("<i>y</i>" + " \n\t\r\f " * 40, 3 * MB),
        lambda n: " ".join(["y"] * n) + "\n",
    ),
    "huge-text-scattered-tags": (
        lambda: page_of("w " * 2000 + "<b>t</b>", 3 * MB),
        lambda n: ("w " * 2000 + "t") * n + "\n",
    ),
    "long-attribute-values": (
        lambda: page_of('<a title="' + "x" * 60000 + '" href="#">link</a> ', 3 * MB),
        lambda n: " ".join(["link"] * n) + "\n",
    ),
    # 1000 levels deep, again and again (beyond the old limit of 255)
    "deep-nesting-repeated": (
        lambda: page_of("<div>" * 1000 + "z" + "</div>" * 1000, 3 * MB, "<html><body>", "</body></html>"),
        lambda n: "z\n" * n,
    ),
}


@pytest.mark.parametrize("kind", list(PATHOLOGICAL))
def test_pathological_3mb_page_read_in_full(kind):
    make, expected = PATHOLOGICAL[kind]
    data, n = make()
    assert len(data) > 3 * MB - 70000 and n > 10  # really a 3 MB page
    text = read_html(data)
    assert text == expected(n)


def test_text_node_over_ten_megabytes_read_in_full():
    # libxml2's default cap on one text node is 10,000,000 bytes: the page used to stop there
    # (everything after it gone, "before" alone came back)
    words = 5_000_100
    page = "<html><body><p>before</p><p>" + "w " * words + "</p><p>after</p></body></html>"
    text = read_html(page.encode("utf-8"))
    assert text == "before\n" + " ".join(["w"] * words) + "\nafter\n"


# --------------------------------------------------------------------------- deep nesting


def nested(depth: int, tag: str) -> bytes:
    return ("<html><body><p>前文 before</p>" + f"<{tag}>" * depth + "深层文字 deep"
            + f"</{tag}>" * depth + "<p>后文 after</p></body></html>").encode("utf-8")


@pytest.mark.parametrize("depth", [255, 300, 1000, 2000])
@pytest.mark.parametrize("tag", ["div", "span", "font"])
def test_deeply_nested_page_keeps_its_text(depth, tag):
    assert read_html(nested(depth, tag)) == "前文 before\n深层文字 deep\n后文 after\n"


@pytest.mark.parametrize("isolate", [True, False], ids=["worker", "in-process"])
def test_deep_page_read_the_same_in_the_worker_and_in_process(isolate):
    assert read_html(nested(1000, "div"), Limits(isolate=isolate)) == "前文 before\n深层文字 deep\n后文 after\n"


def test_deeply_nested_layout_tables_keep_their_text():
    depth = 400  # 1200 levels of table/tr/td
    page = "<html><body>" + "<table><tr><td>" * depth + "深层表格" + "</td></tr></table>" * depth + "</body></html>"
    assert read_html(page.encode("utf-8")) == "\t深层表格\n"


def test_deep_page_through_read_raw():
    raw = read_raw(Path("深层网页.html"), nested(1000, "span"))
    assert raw.format == "html"
    assert raw.text == "前文 before\n深层文字 deep\n后文 after\n"


def too_deep_reason() -> str:
    return formats.R_DEPTH_LEVELS.format(n=html.PARSER_MAX_DEPTH)


@pytest.mark.parametrize("depth", [3000, 100_000])
@pytest.mark.parametrize("tag", ["div", "b"])
def test_nested_beyond_the_parser_limit_rejected_as_too_deep(depth, tag):
    with pytest.raises(Rejected) as exc:
        read_html(nested(depth, tag))
    reason = exc.value.reason
    assert reason == too_deep_reason()
    assert "嵌套过深" in reason and "nested too deeply" in reason and str(html.PARSER_MAX_DEPTH) in reason


def test_too_deep_after_many_parse_errors_still_rejected():
    # unclosed unknown tags nest; libxml2 keeps about a hundred errors, so the depth error itself
    # is not in its log: the page used to come back cut off after a few hundred words
    page = "<html><body>" + "<x>词</y> " * 3000 + "</body></html>"
    with pytest.raises(Rejected) as exc:
        read_html(page.encode("utf-8"))
    assert exc.value.reason == too_deep_reason()


def test_too_deep_rejected_through_read_raw():
    with pytest.raises(Rejected) as exc:
        read_raw(Path("深层网页.html"), nested(100_000, "div"))
    assert exc.value.reason == too_deep_reason()


# --------------------------------------------------------------------------- tables


def test_rowspans_times_rows_rejected_not_expanded():
    # 40 KB: 1000 cells spanning every row, 1000 rows: a million empty continuation cells
    page = ("<html><body><table><tr>" + "<td rowspan=0>s</td>" * 1000 + "</tr>"
            + "<tr><td>r</td></tr>" * 1000 + "</table></body></html>").encode("utf-8")
    with pytest.raises(Rejected) as exc:
        read_html(page)
    assert exc.value.reason.startswith("网页表格过大")
    assert "HTML tables too large" in exc.value.reason


def test_long_rowspan_table_still_read():
    rows = ["<tr><td rowspan=300>项目</td><td>a0</td><td>b0</td></tr>"]
    rows += [f"<tr><td>a{i}</td><td>b{i}</td></tr>" for i in range(1, 300)]
    page = ("<html><body><table>" + "".join(rows) + "</table></body></html>").encode("utf-8")
    expected = "\t项目\n\ta0\n\tb0\n" + "".join(f"\n\t\n\ta{i}\n\tb{i}\n" for i in range(1, 300))
    assert read_html(page) == expected


# --------------------------------------------------------------------------- the caps of the worker


def test_html_parse_has_a_time_cap():
    data, _ = page_of("<span>a</span> ", MB)
    with pytest.raises(Rejected) as exc:
        read_html(data, Limits(max_seconds=0.01))
    assert exc.value.reason.startswith("解析超时")


def test_html_parse_has_a_memory_cap():
    data, _ = page_of("<b>x</b>\n", 4 * MB)  # half a million elements: far more than 64 MiB of tree
    with pytest.raises(Rejected) as exc:
        read_html(data, Limits(max_memory=64 * MB))
    assert exc.value.reason in (formats.R_MEMORY, formats.R_WORKER) or exc.value.reason.startswith(formats.R_WORKER)


def test_in_process_parse_stops_at_its_deadline():
    data, _ = page_of("<span>a</span> ", MB // 4)
    with pytest.raises(Rejected) as exc:
        html.parse(data, Limits(), deadline=time.monotonic() - 1)
    assert exc.value.reason.startswith("解析超时")


# --------------------------------------------------------------------------- normal pages

NORMAL = """<html><head><title>页面标题</title><style>p{color:red}</style></head><body>
<nav>首页 | 政务公开</nav>
<h1>某项目
绩效评价报告</h1>
<div>经过综合评价，该项目得分<b>91.5</b>分，<span>评价等级为“优”。</span></div>
<p>第一行<br>第二行</p>
<p>Budget   execution
   rate <i>was</i>   98.5%</p>
<pre>  预算数\t100
  执行数\t98</pre>
<p hidden>隐藏文字</p><div style="display: none">也隐藏</div>
<table border="1">
  <tr><th>指标</th><th>分值</th><th>得分</th></tr>
  <tr><td rowspan="2">产出</td><td>20</td><td>18</td></tr>
  <tr><td>10</td><td>9.5</td></tr>
  <tr><td colspan="2">合计</td><td>27.5</td></tr>
</table>
<p>评价   等级
为“优”。</p>
<script>var s = "脚本";</script>
</body></html>"""

NORMAL_TEXT = (
    "某项目绩效评价报告\n"
    "经过综合评价，该项目得分91.5分，评价等级为“优”。\n"
    "第一行\n第二行\n"
    "Budget execution rate was 98.5%\n"
    "预算数 100\n"
    "执行数 98\n"
    "\t指标\n\t分值\n\t得分\n\n"
    "\t产出\n\t20\n\t18\n\n"
    "\t\n\t10\n\t9.5\n\n"
    "\t合计\n\t27.5\n"
    "\n\n"
    "评价 等级为“优”。\n"
)


@pytest.mark.parametrize("isolate", [True, False], ids=["worker", "in-process"])
def test_normal_page_reads_the_same(isolate):
    assert read_html(NORMAL.encode("utf-8"), Limits(isolate=isolate)) == NORMAL_TEXT
    gbk = NORMAL.replace("<head>", '<head><meta charset="gbk">').encode("gbk")
    assert read_html(gbk, Limits(isolate=isolate)) == NORMAL_TEXT


def test_normal_page_through_read_raw():
    raw = read_raw(Path("报告.html"), NORMAL.encode("utf-8"))
    assert (raw.format, raw.text) == ("html", NORMAL_TEXT)
