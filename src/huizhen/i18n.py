"""Build the UI's message catalogs without GNU gettext.

``python -m huizhen.i18n compile`` turns every ``locale/*/LC_MESSAGES/*.po`` under the
package into ``.mo`` with polib, writing to a temporary name and renaming, so a fresh
machine with only Python needs no gettext tools. Compiled catalogs are build products
and are not committed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent


def catalogs(root: Path = PACKAGE_DIR) -> list[Path]:
    return sorted(root.glob("**/locale/*/LC_MESSAGES/*.po"))


def compile_catalogs(root: Path = PACKAGE_DIR) -> list[Path]:
    written: list[Path] = []
    for po_path in catalogs(root):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        tmp = mo_path.with_suffix(".mo.tmp")
        polib.pofile(str(po_path)).save_as_mofile(str(tmp))
        os.replace(tmp, mo_path)
        written.append(mo_path)
    return written


def main(argv: Sequence[str]) -> int:
    if list(argv) != ["compile"]:
        print("usage: python -m huizhen.i18n compile", file=sys.stderr)
        return 2
    for path in compile_catalogs():
        print(f"compiled {path.relative_to(PACKAGE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
