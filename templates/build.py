"""Rebuild the committed Excel files from their text sources.

    .venv/bin/python templates/build.py [OUT_DIR]

Writes potentiel_template.xlsm and potentiel.xlam into OUT_DIR (default: this folder) from
addin/data/template and the installed xlwings package, the same as ``potentiel template DIR``;
and OUT_DIR/lite, the xlwings Lite files, the same as ``potentiel lite DIR/lite``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from addin.app import lite
from addin.template_maker.template import build


def main(argv: list[str]) -> int:
    out_dir = Path(argv[0]) if argv else Path(__file__).resolve().parent
    for path in [*build(out_dir), *lite.write(out_dir / "lite")]:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
