"""Charts for reports and notebooks: PNG bytes rendered with matplotlib's Agg canvas.

The Chinese font is WenQuanYi Micro Hei (文泉驿微米黑), shipped inside the PyPI package
`paperang-p2-fonts-cjk` that the project installs, so a chart looks the same on every machine
whatever fonts the system has. It covers Latin, digits and GB2312/GBK hanzi, so it is the only
family we ask for: matplotlib never silently falls back to a font without the glyphs.

No pyplot: a `Figure` with a `FigureCanvasAgg` holds no global state and is safe in threads.
"""

import base64
import io
import math
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

FONT_PACKAGE = "paperang_p2_fonts_cjk"
FONT_FILE = "fonts/wqy-microhei.ttc"

SCORE_COLOR = "#2f6f9f"
RATE_COLOR = "#c8702a"
MISSING = "无数据"


def cjk_font_path() -> Path:
    """Path of the bundled CJK font file (inside the installed font package)."""
    import importlib.util

    spec = importlib.util.find_spec(FONT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"字体包未安装 / font package {FONT_PACKAGE!r} is not installed (pip install paperang-p2-fonts-cjk)")
    path = Path(next(iter(spec.submodule_search_locations))) / FONT_FILE
    if not path.is_file():
        raise RuntimeError(f"字体文件缺失 / font file missing: {path}")
    return path


@lru_cache(maxsize=1)
def cjk_font_family() -> str:
    """Register the bundled font with matplotlib (once) and return its family name."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _num(v) -> float | None:
    if v is None:
        return None
    f = float(v) if isinstance(v, (Decimal, int, float)) else float(str(v))
    return None if math.isnan(f) else f


def _fmt(v: float | None, suffix: str = "") -> str:
    return MISSING if v is None else f"{v:.2f}".rstrip("0").rstrip(".") + suffix


def district_chart_png(rows, title: str = "各地区平均得分与事前绩效评估审减率", dpi: int = 110) -> bytes:
    """A two-panel horizontal bar chart, one bar per (district, year), in the order given.

    rows: iterable of (district, report_year, avg_score, exante_reduction_rate_pct); numbers may be
    Decimal, int, float or None (None is drawn as no bar, labelled 无数据). Returns PNG bytes.
    """
    rows = list(rows)
    family = cjk_font_family()
    labels = [f"{d or '未知'} {y if y is not None else ''}".strip() for d, y, _, _ in rows]
    scores = [_num(s) for _, _, s, _ in rows]
    rates = [_num(r) for _, _, _, r in rows]

    n = max(1, len(rows))
    # Every text of the figure (titles, tick labels, values) in the bundled font; minus signs as
    # ASCII "-" so no glyph outside the font is ever needed.
    with matplotlib.rc_context({"font.family": [family], "axes.unicode_minus": False}):
        fig = Figure(figsize=(10, 1.6 + 0.55 * n), dpi=dpi, layout="constrained")
        FigureCanvasAgg(fig)
        fig.suptitle(title, fontsize=14)
        ax_score, ax_rate = fig.subplots(1, 2, sharey=True)
        panels = (
            (ax_score, scores, SCORE_COLOR, "平均得分（分）", 100.0, ""),
            (ax_rate, rates, RATE_COLOR, "事前评估审减率（%）", None, "%"),
        )
        ys = list(range(len(rows)))
        for ax, values, color, xlabel, xmax, suffix in panels:
            ax.barh(ys, [v if v is not None else 0.0 for v in values],
                    color=[color if v is not None else "none" for v in values], height=0.6)
            top = xmax or max([v for v in values if v is not None] + [8.0]) * 1.25
            ax.set_xlim(0, top)
            for y, v in zip(ys, values):
                ax.text((v or 0.0) + top * 0.01, y, _fmt(v, suffix), va="center", ha="left", fontsize=10,
                        color="#333333" if v is not None else "#999999")
            ax.set_xlabel(xlabel, fontsize=11)
            ax.grid(axis="x", color="#dddddd", linewidth=0.8)
            ax.set_axisbelow(True)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
        ax_score.set_yticks(ys, labels, fontsize=11)
        ax_score.set_ylim(len(rows) - 0.5 if rows else 0.5, -0.5)  # first row on top
        if not rows:
            ax_score.text(50, 0, MISSING, ha="center", va="center", fontsize=12, color="#999999")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def png_markdown(png: bytes, alt: str) -> str:
    """Markdown image with the PNG inline: `![alt](data:image/png;base64,...)`."""
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("not a PNG")
    safe_alt = " ".join(alt.split()).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"![{safe_alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"
