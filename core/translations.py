"""Compile .po catalogues to .mo without GNU gettext (a fresh machine may not have msgfmt)."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", "node_modules", "var"}


def po_files(root: Path = ROOT):
    for po_path in root.rglob("locale/*/LC_MESSAGES/*.po"):
        if not SKIP_DIRS.intersection(po_path.relative_to(root).parts):
            yield po_path


def compile_all(root: Path = ROOT) -> int:
    """Write a .mo beside every stale .po of the project. Returns how many were written."""
    written = 0
    for po_path in po_files(root):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written += 1
    return written


if __name__ == "__main__":
    print(f"compiled {compile_all()} catalogue(s)")  # noqa: T201
