"""A small project with vulnerable dependencies in all three manifest kinds, a planted secret
and an `eval`, for the security audit's tests (the advisories are the OSV emulator's)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import git

PYPROJECT = """\
[project]
name = "shop"
version = "1.0"
dependencies = [
    "django>=3.2,<4",
    "requests==2.25.0",
    "click>=8",
    "internal-lib @ https://example.com/internal-lib-1.0.tar.gz",
]

[project.optional-dependencies]
yaml = ["PyYAML==5.3.1"]
"""

REQUIREMENTS = """\
# runtime pins
-r requirements-base.txt
--index-url https://pypi.org/simple

jinja2==3.0.0 ; python_version >= "3.8"  # templates
ecdsa==0.18.0
urllib3  # any version
"""

REQUIREMENTS_BASE = "requests==2.25.0\n"

PACKAGE_LOCK = {
    "name": "shop-ui",
    "version": "1.0.0",
    "lockfileVersion": 3,
    "requires": True,
    "packages": {
        "": {
            "name": "shop-ui",
            "version": "1.0.0",
            "dependencies": {"lodash": "^4.17.15"},
            "devDependencies": {"mocha": "^10.0.0"},
        },
        "node_modules/lodash": {
            "version": "4.17.15",
            "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.15.tgz",
            "integrity": "sha512-8xOcRHvCjnocdS5cpwJQxLuZMtKfLFXqDtzGSN6t07tgVI5pxu4MBnOWhq==",
        },
        "node_modules/mocha": {"version": "10.2.0", "dev": True},
        "node_modules/minimist": {"version": "1.2.5", "dev": True},
    },
}

# Built from parts so that this file itself holds no token-shaped literal (secret scanners).
SECRET = "xox" + "b-417263958104-2209876543217-" + "Kq8ZrT3vWm1xYp6LsN0aHd4J"

SETTINGS = f'''\
SLACK_TOKEN = "{SECRET}"


def calculate(expression):
    return eval(expression)
'''


def write_project(root: Path) -> Path:
    """The project's files under `root` (created)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "requirements.txt").write_text(REQUIREMENTS)
    (root / "requirements-base.txt").write_text(REQUIREMENTS_BASE)
    (root / "ui").mkdir(exist_ok=True)
    (root / "ui" / "package-lock.json").write_text(json.dumps(PACKAGE_LOCK, indent=2) + "\n")
    (root / "shop").mkdir(exist_ok=True)
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "settings.py").write_text(SETTINGS)
    return root


def make_audit_repo(root: Path) -> Path:
    """The project as a git repository with one commit on `main`."""
    write_project(root)
    git("init", "-q", "-b", "main", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-qm", "shop", cwd=root)
    return root
