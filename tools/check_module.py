#!/usr/bin/env python3
"""Checks of field_maintenance that no OCA tool makes (a local pre-commit hook).

- every Python file is imported by its package (in tests/, every test_*.py: Odoo silently
  skips a test module that tests/__init__.py does not import);
- every data/demo file of the manifest exists, and every .xml/.csv under the data folders is
  listed in it; CSV rows have as many columns as the header and perm_* are 0 or 1;
- every asset path of the module in the manifest matches a file;
- every .po/.pot passes `msgfmt -c` when gettext is installed.

Standard library only; exits 1 and prints one line per problem.
"""

import ast
import csv
import glob
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODULE = "field_maintenance"
MODULE_DIR = REPO / MODULE
DATA_FOLDERS = ("data", "demo", "security", "views", "report", "wizard")


def imported_names(path):
    """Names a file imports relatively ("from . import x", "from .x import y")."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names.update(alias.name for alias in node.names)
    return names


def check_imports(errors):
    for init in sorted(MODULE_DIR.rglob("__init__.py")):
        package = init.parent
        if "static" in package.relative_to(MODULE_DIR).parts:
            continue
        imported = set()
        for source in package.glob("*.py"):  # a sibling may import it too
            imported |= imported_names(source)
        for child in sorted(package.iterdir()):
            if child.name.startswith((".", "_")):
                continue
            if child.suffix == ".py":
                name = child.stem
            elif (child / "__init__.py").is_file():
                name = child.name
            else:
                continue
            if package.name == "tests" and not name.startswith("test_"):
                continue
            if package == MODULE_DIR and name == "tests":
                if name in imported:
                    errors.append(f"{init}: must not import tests (Odoo loads them)")
            elif name not in imported:
                errors.append(f"{init}: does not import {name}")


def check_csv(path, errors):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle) if row]
    header = rows[0] if rows else []
    for lineno, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            errors.append(f"{path}:{lineno}: {len(row)} columns, the header has {len(header)}")
            continue
        for key, value in zip(header, row, strict=True):
            if key.startswith("perm_") and value not in ("0", "1"):
                errors.append(f"{path}:{lineno}: {key} is {value!r}, expected 0 or 1")


def check_manifest(errors):
    manifest = ast.literal_eval((MODULE_DIR / "__manifest__.py").read_text(encoding="utf-8"))
    listed = [entry for key in ("data", "demo") for entry in manifest.get(key, [])]
    for entry in listed:
        path = MODULE_DIR / entry
        if not path.is_file():
            errors.append(f"__manifest__.py: data file {entry} does not exist")
        elif path.suffix == ".csv":
            check_csv(path, errors)
    for folder in DATA_FOLDERS:
        for path in sorted((MODULE_DIR / folder).rglob("*")):
            if (
                path.suffix in (".xml", ".csv")
                and path.relative_to(MODULE_DIR).as_posix() not in listed
            ):
                errors.append(f"__manifest__.py: {path.relative_to(REPO)} is not listed")
    for bundle, entries in manifest.get("assets", {}).items():
        for entry in entries:
            for asset in [entry] if isinstance(entry, str) else entry[1:]:
                if asset.startswith(MODULE + "/") and not glob.glob(str(REPO / asset)):
                    errors.append(f"__manifest__.py: asset {asset} of {bundle} matches no file")


def check_po(errors):
    msgfmt = shutil.which("msgfmt")
    for path in sorted((MODULE_DIR / "i18n").glob("*.po*")) if msgfmt else []:
        proc = subprocess.run(
            [msgfmt, "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True
        )
        if proc.returncode:
            errors.append(f"{path}: msgfmt -c: {proc.stderr.strip()}")


def main():
    errors = []
    check_imports(errors)
    check_manifest(errors)
    check_po(errors)
    for error in errors:
        print(error.replace(f"{REPO}/", ""))  # noqa: T201 - a command-line check
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
