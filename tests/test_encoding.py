"""Encoding detection on real report text: UTF-8 (with and without BOM), GB18030/GBK, UTF-16."""

from pathlib import Path

import pytest

from pipelines.ingest.read import Rejected, decode_text, read_raw
from tests.conftest import FENGTAI, SHIJINGSHAN

TEXT = SHIJINGSHAN.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "data,expected",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "utf16-bom", "utf16le-no-bom"],
)
def test_decodes_real_text_in_every_encoding(data, expected):
    text, enc = decode_text(data)
    assert enc == expected
    assert text.lstrip("\ufeff") == TEXT


def test_gbk_subset_decodes_as_gb18030():
    sample = FENGTAI.read_text(encoding="utf-8")[:3000]
    data = sample.encode("gbk")
    text, enc = decode_text(data)
    assert enc == "gb18030" and text == sample


@pytest.mark.parametrize(
    "name,data,reason_part",
    [
        ("empty.txt", b"", "empty"),
        ("picture.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "not"),
    ],
)
def test_rejections_have_reasons(name, data, reason_part):
    with pytest.raises(Rejected) as exc:
        read_raw(Path(name), data)
    assert reason_part in exc.value.reason
