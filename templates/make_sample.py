"""Rebuild the shipped sample workbook from the deterministic generator.

    .venv/bin/python templates/make_sample.py [OUT_DIR]

Writes sample_customers.xlsx into OUT_DIR (default: this folder).  The same seed and creation
date give the same workbook, so the committed file can be regenerated and compared.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from addin.demo.sample import build_sample


def main(argv: list[str]) -> int:
    out_dir = Path(argv[0]) if argv else Path(__file__).resolve().parent
    print(build_sample(out_dir / "sample_customers.xlsx"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
