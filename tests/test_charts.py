"""pipelines.charts: a PNG with Chinese labels in the bundled CJK font, and its Markdown form."""

import base64
import struct
import warnings
from decimal import Decimal as D
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from pipelines.charts import MISSING, cjk_font_family, cjk_font_path, district_chart_png, png_markdown

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# Values read from the sample corpus: 丰台区 2024 four reports 86.88/84.90/82/81.23 → 83.75, no
# amount assessed for its 182 ex-ante items → no rate; 北京市 2024 90.04/87.78/83.7 → 87.17,
# 审减资金 7.8 亿元 of 89.5 亿元 → 8.72 %; 石景山区 2022 91.5.
ROWS = [
    ("丰台区", 2024, D("83.75"), None),
    ("北京市", 2024, D("87.17"), 8.72),
    ("石景山区", 2022, 91.5, None),
]


def png_size(png: bytes) -> tuple[int, int]:
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def test_font_comes_from_the_installed_package_not_the_system():
    path = cjk_font_path()
    assert path.is_file()
    assert "site-packages" in path.parts or "dist-packages" in path.parts
    assert not str(path).startswith(("/usr/share/fonts", "/usr/local/share/fonts"))
    family = cjk_font_family()
    assert family == "WenQuanYi Micro Hei"
    found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert Path(found) == path


def test_font_has_every_glyph_the_chart_draws():
    font = FT2Font(str(cjk_font_path()))
    text = "".join(d for d, *_ in ROWS) + "北京经济技术开发区各地区平均得分与事前绩效评估审减率（分）（%）" + MISSING + "0123456789.-%"
    missing = [ch for ch in set(text) if not ch.isspace() and font.get_char_index(ord(ch)) == 0]
    assert missing == []


def test_chart_is_a_png_and_no_glyph_is_missing():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = district_chart_png(ROWS)
    glyph_warnings = [str(w.message) for w in caught if "Glyph" in str(w.message) or "missing from" in str(w.message)]
    assert glyph_warnings == []
    assert [str(w.message) for w in caught if "findfont" in str(w.message)] == []
    assert png.startswith(PNG_MAGIC)
    width, height = png_size(png)
    assert width >= 800 and height >= 200


def test_chart_draws_the_labels_with_the_bundled_font():
    """The Chinese tick labels are drawn in the bundled font (no fallback to DejaVu Sans)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401  (Agg is what we render with)

    import matplotlib

    captured = []
    original = matplotlib.text.Text.draw

    def spy(self, renderer):
        if self.get_text():
            captured.append((self.get_text(), self.get_fontproperties().get_file() or font_manager.findfont(self.get_fontproperties())))
        return original(self, renderer)

    matplotlib.text.Text.draw = spy
    try:
        district_chart_png(ROWS)
    finally:
        matplotlib.text.Text.draw = original
    texts = dict(captured)
    for label in ("丰台区 2024", "北京市 2024", "石景山区 2022", "8.72%", MISSING):
        assert label in texts, (label, sorted(texts))
        assert Path(texts[label]) == cjk_font_path(), label


def test_more_rows_make_a_taller_chart_and_empty_input_still_renders():
    small = png_size(district_chart_png(ROWS[:1]))
    big = png_size(district_chart_png(ROWS * 4))
    assert big[1] > small[1]
    assert district_chart_png([]).startswith(PNG_MAGIC)


def test_png_markdown_round_trip():
    png = district_chart_png(ROWS)
    md = png_markdown(png, "各地区平均得分")
    prefix = "![各地区平均得分](data:image/png;base64,"
    assert md.startswith(prefix) and md.endswith(")")
    assert base64.b64decode(md[len(prefix):-1]) == png
    assert "\n" not in md


def test_png_markdown_escapes_alt_and_rejects_non_png():
    md = png_markdown(PNG_MAGIC + b"rest", "得分 [2024]\n丰台区")
    assert md.startswith("![得分 \\[2024\\] 丰台区](data:image/png;base64,")
    with pytest.raises(ValueError):
        png_markdown(b"GIF89a", "x")
