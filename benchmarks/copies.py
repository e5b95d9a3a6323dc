"""The speed corpus of `make bench`: copies of the three sample disclosures in data/raw/ (8 reports
in all), each copy with one line changed so that every file has its own hash and none is a
duplicate of another. 1,250 copies are 3,750 files, 10,000 reports, about 126 MB of text.

The changed line is the first paragraph of at least 40 characters (narrative, never a figure, a
label or a table row): a note of the copy's number is appended to it.

    python -m benchmarks.copies OUT_DIR [N_COPIES]
"""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SAMPLES = PROJECT / "data" / "raw"


def changed(text: str, i: int) -> str:
    """`text` with its first long paragraph marked as copy `i`."""
    lines = text.split("\n")
    for k, line in enumerate(lines):
        if len(line.strip()) >= 40:
            lines[k] = line + f"（基准测试副本第{i}份）"
            return "\n".join(lines)
    raise ValueError("no paragraph of 40 characters to change")


def samples() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if p.is_file() and not p.name.startswith("."))


def make_copies(out: Path, n_copies: int, start: int = 0) -> list[Path]:
    """Write copies start … start+n_copies-1 of every sample file into `out` (one folder per 250
    copies, as a bureau's yearly folders would be). Returns the files written."""
    texts = [(p.stem, p.suffix, p.read_text(encoding="utf-8")) for p in samples()]
    written = []
    for i in range(start, start + n_copies):
        folder = out / f"batch_{i // 250:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        for stem, suffix, text in texts:
            dst = folder / f"copy_{i:05d}_{stem}{suffix}"
            dst.write_text(changed(text, i), encoding="utf-8")
            written.append(dst)
    return written


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0])
    n = int(argv[1]) if len(argv) > 1 else 1250
    files = make_copies(out, n)
    print(f"{len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
