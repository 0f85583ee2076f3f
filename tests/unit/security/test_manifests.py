"""Reading dependencies from pyproject.toml, requirements*.txt and package-lock.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.security_samples import write_project
from workflows.dependencies.manifests import (
    package_lock_dependencies,
    pyproject_requirements,
    read_dependencies,
)
from workflows.dependencies.requirements import RequirementLine, parse_requirement
from workflows.dependencies.versions import chosen_version


@pytest.mark.parametrize(
    ("specifier", "version", "pinned"),
    [
        ("==2.25.0", "2.25.0", True),
        ("===1.0", "1.0", True),
        (">=3.2,<4", "3.2", False),
        ("~=1.4", "1.4", False),
        ("==1.2.*", "1.2", False),
        (">=1.0,>=1.5,<2", "1.5", False),  # the highest inclusive lower bound
    ],
)
def test_the_version_checked_for_a_specifier(specifier: str, version: str, pinned: bool) -> None:
    chosen = chosen_version(specifier)
    assert (chosen.version, chosen.pinned) == (version, pinned)


@pytest.mark.parametrize(
    ("specifier", "reason"),
    [
        ("", "no version given"),
        ("<4", "no lower bound"),
        (">1.0", "only an exclusive lower bound"),
        (">=1.0,!=1.0", "excluded"),
        ("=>1.0", "unreadable"),
    ],
)
def test_specifiers_without_a_version_say_why(specifier: str, reason: str) -> None:
    chosen = chosen_version(specifier)
    assert chosen.version is None and reason in chosen.reason


def test_requirement_strings() -> None:
    parsed = parse_requirement(RequirementLine('Requests[socks]==2.25.0 ; python_version<"4"', 1))
    assert not isinstance(parsed, str)
    assert (parsed.name, parsed.version, parsed.pinned) == ("requests", "2.25.0", True)
    assert parsed.marker == 'python_version < "4"'
    assert "URL" in str(parse_requirement(RequirementLine("x @ git+https://h/x.git", 1)))
    assert "editable" in str(parse_requirement(RequirementLine("-e ./lib", 1)))
    assert "not a requirement" in str(parse_requirement(RequirementLine("not valid ==", 1)))


def test_pyproject_dependencies_extras_and_groups_with_their_lines() -> None:
    text = """\
[project]
dependencies = [
  "django>=3.2,<4",
  'jinja2 == 3.0.0 ; python_version >= "3.8"',
]

[project.optional-dependencies]
yaml = ["PyYAML==5.3.1"]

[dependency-groups]
test = ["pytest==7.0.0", {include-group = "lint"}]
lint = ["ruff==0.1.0"]
"""
    found = [(r.text, r.line, r.group) for r in pyproject_requirements(text)]
    assert found == [
        ("django>=3.2,<4", 3, "dependencies"),
        ('jinja2 == 3.0.0 ; python_version >= "3.8"', 4, "dependencies"),
        ("PyYAML==5.3.1", 8, "optional: yaml"),
        ("pytest==7.0.0", 11, "group: test"),
        ("ruff==0.1.0", 12, "group: lint"),
    ]


def test_requirements_files_includes_comments_options_and_continuations(tmp_path: Path) -> None:
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "base.txt").write_text(
        "requests==2.25.0\n-r ../requirements.txt\n"
    )
    (tmp_path / "requirements.txt").write_text(
        "# pins\n"
        "--index-url https://pypi.example/simple\n"
        "-c constraints.txt\n"
        "django==3.2.0 \\\n"
        "    --hash=sha256:aaaa \\\n"
        "    --hash=sha256:bbbb\n"
        "flask>=2.0  # web\n"
        "-r missing.txt\n"
        "-r ../../outside.txt\n"
        "-e git+https://example.com/lib.git#egg=lib\n"
        "\n"
    )
    scan = read_dependencies(tmp_path)
    deps = {(d.name, d.manifest, d.line): d for d in scan.dependencies}
    assert set(deps) == {
        ("requests", "requirements/base.txt", 1),
        ("django", "requirements.txt", 4),
        ("flask", "requirements.txt", 7),
    }
    assert deps["django", "requirements.txt", 4].hashed is True
    assert deps["django", "requirements.txt", 4].requirement == "django==3.2.0"
    assert deps["flask", "requirements.txt", 7].checked == "lowest-allowed"
    assert scan.manifests == ["requirements.txt", "requirements/base.txt"]  # each read once
    assert [u.reason for u in scan.unchecked] == ["editable install (-e); not a released version"]
    assert any("missing.txt not found" in e for e in scan.errors)
    assert any("leaves the repository" in e for e in scan.errors)


def test_package_lock_v3_packages_with_direct_and_dev() -> None:
    lock = {
        "lockfileVersion": 3,
        "packages": {
            "": {"dependencies": {"lodash": "^4"}, "devDependencies": {"@types/node": "^20"}},
            "node_modules/lodash": {"version": "4.17.15"},
            "node_modules/@types/node": {"version": "20.1.0", "dev": True},
            "node_modules/a/node_modules/lodash": {"version": "3.10.1"},
            "node_modules/local": {"resolved": "../local", "link": True},
            "node_modules/from-git": {"version": "git+ssh://git@github.com/x/y.git#abc"},
            "packages/workspace": {"version": "1.0.0"},
        },
    }
    text = json.dumps(lock, indent=2)
    found = package_lock_dependencies(text, "package-lock.json")
    assert [(d.name, d.version, d.direct, d.group) for d in found] == [
        ("lodash", "4.17.15", True, ""),
        ("@types/node", "20.1.0", True, "dev"),
        ("lodash", "3.10.1", False, ""),
    ]
    lines = text.splitlines()
    assert all(f'"node_modules/{d.name}"' in lines[d.line - 1] for d in found[:2])
    assert '"node_modules/a/node_modules/lodash"' in lines[found[2].line - 1]


def test_package_lock_v1_nested_dependencies() -> None:
    lock = {
        "lockfileVersion": 1,
        "dependencies": {
            "minimist": {"version": "1.2.5", "dev": True},
            "mkdirp": {
                "version": "0.5.1",
                "requires": {"minimist": "0.0.8"},
                "dependencies": {"minimist": {"version": "0.0.8"}},
            },
        },
    }
    text = json.dumps(lock, indent=2)
    found = package_lock_dependencies(text, "web/package-lock.json")
    assert [(d.name, d.version, d.direct, d.group) for d in found] == [
        ("minimist", "1.2.5", True, "dev"),
        ("mkdirp", "0.5.1", True, ""),
        ("minimist", "0.0.8", False, ""),
    ]
    lines = text.splitlines()
    assert '"minimist"' in lines[found[2].line - 1]
    assert '"0.0.8"' in lines[found[2].line]  # the nested entry, not the top-level one


def test_a_whole_project_and_a_component(tmp_path: Path) -> None:
    root = write_project(tmp_path / "shop")
    (root / "node_modules" / "x").mkdir(parents=True)
    (root / "node_modules" / "x" / "package-lock.json").write_text("{}")  # vendored: skipped
    scan = read_dependencies(root)
    assert scan.manifests == [
        "pyproject.toml",
        "requirements-base.txt",
        "requirements.txt",
        "ui/package-lock.json",
    ]
    assert len(scan.packages()) == 9  # requests is declared twice, asked about once
    ui = read_dependencies(root, root / "ui")
    assert {d.name for d in ui.dependencies} == {"lodash", "mocha", "minimist"}


def test_a_broken_manifest_is_an_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n")
    (tmp_path / "package-lock.json").write_text("[1, 2]")
    scan = read_dependencies(tmp_path)
    assert scan.dependencies == []
    assert [e.split(":")[0] for e in scan.errors] == ["package-lock.json", "pyproject.toml"]
