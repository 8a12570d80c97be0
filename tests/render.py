"""Render a workbook the way a person sees it: LibreOffice headless to PDF, then PNG pages.

The tests check that LibreOffice opens and renders the written workbooks; a developer can run
``python tests/render.py BOOK OUT_DIR`` to look at every sheet as PNG images.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from addin.workbook.zip_parts import Package


def soffice() -> str:
    """The LibreOffice executable (the tests need it: it is installed with the dev setup)."""
    found = shutil.which("soffice")
    assert found, "LibreOffice is needed: apt-get install -y libreoffice-calc"
    return found


def convert(book: Path, out_dir: Path, to: str) -> Path:
    """``book`` converted by LibreOffice headless (``pdf``, ``ods``) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = (out_dir / ".profile").resolve().as_uri()
    subprocess.run([soffice(), f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", to, "--outdir", str(out_dir), str(book)],
                   check=True, capture_output=True, timeout=240)
    return out_dir / f"{book.stem}.{to}"


def results_only(book: Path, out: Path) -> Path:
    """A copy of ``book`` where only potentiel's visible sheets print: the others hidden."""
    with Package(book) as package:
        own = {sheet.name for role, sheet in package.own_sheets().items()}
        xml = package.text("xl/workbook.xml")
        for sheet in package.sheets():
            if sheet.name not in own and 'state="' not in sheet.element:
                xml = xml.replace(sheet.element, sheet.element.replace(
                    "<sheet ", '<sheet state="hidden" ', 1), 1)
        package.set_text("xl/workbook.xml", xml)
        return package.save(out)


def render(book: Path, out_dir: Path, *, dpi: int = 60, pages: int = 40,
           results: bool = True) -> list[Path]:
    """The printed pages of ``book`` as PNGs (at most ``pages``), in order; with ``results``,
    only potentiel's sheets."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if results:
        book = results_only(book, out_dir / book.name)
    pdf = convert(book, out_dir, "pdf")
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is needed: apt-get install -y poppler-utils"
    subprocess.run([pdftoppm, "-png", "-r", str(dpi), "-l", str(pages), str(pdf),
                    str(out_dir / book.stem)], check=True, capture_output=True, timeout=240)
    return sorted(out_dir.glob(f"{book.stem}-*.png"))


if __name__ == "__main__":
    for page in render(Path(sys.argv[1]), Path(sys.argv[2])):
        print(page)
