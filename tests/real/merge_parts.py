"""Merge the per-collector files of tests/real/parts/ into tests/real/pull.json and gold.json.

Each collector wrote `<x>_pull.json` and `<x>_gold.json` in the format of the shared
development set (`../shared/real/pull.json`, `gold.json`); the scorer reads one file each.
The `_about` of the merged gold is taken from the shared set's gold.json when it is there.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    pulls, golds = [], []
    for p in sorted((HERE / "parts").glob("*_pull.json")):
        pulls += json.loads(p.read_text(encoding="utf-8"))["documents"]
    for p in sorted((HERE / "parts").glob("*_gold.json")):
        golds += json.loads(p.read_text(encoding="utf-8"))["documents"]
    shared = HERE.parent.parent.parent / "shared" / "real" / "gold.json"
    about = json.loads(shared.read_text(encoding="utf-8"))["_about"] if shared.exists() else {}
    about = {**about, "what": "Hand-read gold for the project's own real corpus (tests/real/pull.json says where each text is)."}
    (HERE / "pull.json").write_text(json.dumps({"_about": "Where each text is found: search the stored public web pages with `query`, take the result whose url is `url`, save its excerpt as UTF-8 under `path`.", "documents": pulls}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (HERE / "gold.json").write_text(json.dumps({"_about": about, "documents": golds}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(pulls)} texts, {len(golds)} gold entries", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
