"""mypy over newsdex as it is installed: the rooms mapped under the one import name ``newsdex`` (pyproject's
``[tool.setuptools.package-dir]``) are linked into ``var/typecheck/`` in that shape, and mypy checks the package
``newsdex`` there with the settings in pyproject (``[tool.mypy]``). ``make typecheck`` runs it; exit status is
mypy's.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def link_tree(tree: Path) -> None:
    """``tree/newsdex/…`` as the package installs: each folder linked under its import name."""
    mapping = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-dir"]
    shutil.rmtree(tree, ignore_errors=True)
    for name, folder in sorted(mapping.items()):
        target = tree.joinpath(*name.split("."))
        if name == "newsdex":  # the ground floor is the package itself: its files, beside the linked rooms
            target.mkdir(parents=True)
            for path in sorted((REPO / folder).glob("*.py")):
                (target / path.name).symlink_to(path)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(REPO / folder, target_is_directory=True)


def main() -> int:
    tree = REPO / "var" / "typecheck"
    link_tree(tree)
    command = [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"), "-p", "newsdex"]
    return subprocess.run(command, cwd=tree).returncode


if __name__ == "__main__":
    sys.exit(main())
