"""The speed benchmark's corpus: copies of the sample files that differ from them by one line."""

import hashlib

from benchmarks.copies import make_copies, samples


def test_copies_differ_by_one_narrative_line_and_have_their_own_hashes(tmp_path):
    files = make_copies(tmp_path, 3)
    assert len(files) == 3 * len(samples()) == 9
    assert len({hashlib.sha256(p.read_bytes()).hexdigest() for p in files}) == 9
    for p in files:
        sample = next(s for s in samples() if p.name.endswith(s.name))
        a = sample.read_text(encoding="utf-8").split("\n")
        b = p.read_text(encoding="utf-8").split("\n")
        diff = [(x, y) for x, y in zip(a, b) if x != y]
        assert len(a) == len(b) and len(diff) == 1
        before, after = diff[0]
        assert len(before.strip()) >= 40 and after.startswith(before) and "基准测试副本第" in after
    assert files[-1].parent.name == "batch_000" and files[-1].name.startswith("copy_00002_")
