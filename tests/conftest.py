import shutil
from pathlib import Path

import pytest

from pipelines.text import normalize

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
MUNICIPAL = RAW / "000_01c7e19edd1216e8.txt"
FENGTAI = RAW / "001_06df7a84ebc894a1.txt"
SHIJINGSHAN = RAW / "003_c38f57d479bd6754.txt"


def corpus_text(path: Path) -> str:
    return normalize(path.read_text(encoding="utf-8"))


@pytest.fixture
def data_root(tmp_path) -> Path:
    """A fresh data root with a copy of the sample corpus in raw/."""
    shutil.copytree(RAW, tmp_path / "raw")
    return tmp_path
