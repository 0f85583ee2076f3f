"""Analysis options (select, ignore, confidence floor) and the whitelist file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from workflows.analysis.models import AnalysisReport, Category, Finding, Severity
from workflows.analysis.options import AnalysisOptions, analyze, apply_options, known_rule_ids
from workflows.analysis.whitelist import (
    Whitelist,
    find_whitelist,
    load_whitelist,
    parse_entry,
    parse_whitelist,
)
from workflows.models.component_analysis import AnalysisRequest

RULES = known_rule_ids()


def finding(
    rule: str = "unused-import",
    path: str = "pkg/mod.py",
    symbol: str | None = "os",
    confidence: int = 100,
    line: int = 1,
) -> Finding:
    return Finding(
        rule=rule,
        category=Category.CODE_QUALITY,
        severity=Severity.WARNING,
        path=path,
        line=line,
        end_line=line,
        message="m",
        symbol=symbol,
        confidence=confidence,
    )


def report(*findings: Finding) -> AnalysisReport:
    return AnalysisReport(root="/r", files_analyzed=3, lines_analyzed=300, findings=list(findings))


def kept(options: AnalysisOptions, *findings: Finding) -> list[Finding]:
    return apply_options(report(*findings), options).findings


# -- options ---------------------------------------------------------------------------------


def test_default_options_keep_everything_and_run_every_rule() -> None:
    items = [finding(confidence=0), finding("bare-except", symbol=None)]
    assert kept(AnalysisOptions(), *items) == items
    assert AnalysisOptions().rule_ids() is None


def test_select_ignore_and_rule_ids() -> None:
    a, b, c = finding(), finding("bare-except"), finding("unused-function")
    assert kept(AnalysisOptions(select=["bare-except"]), a, b, c) == [b]
    assert kept(AnalysisOptions(ignore=["bare-except"]), a, b, c) == [a, c]
    both = AnalysisOptions(select=["bare-except", "unused-import"], ignore=["unused-import"])
    assert both.rule_ids() == ["bare-except"]
    ignored = AnalysisOptions(ignore=["bare-except"]).rule_ids()
    assert ignored is not None and "bare-except" not in ignored
    assert set(ignored) == set(RULES) - {"bare-except"}


def test_min_confidence_keeps_findings_at_or_above_it() -> None:
    low, edge, high = finding(confidence=59), finding(confidence=60), finding(confidence=100)
    assert kept(AnalysisOptions(min_confidence=60), low, edge, high) == [edge, high]


@pytest.mark.parametrize("value", [-1, 101])
def test_min_confidence_outside_0_to_100_is_refused(value: int) -> None:
    with pytest.raises(ValidationError):
        AnalysisOptions(min_confidence=value)


@pytest.mark.parametrize("field", ["select", "ignore"])
def test_unknown_rule_ids_are_refused_naming_the_valid_ones(field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        AnalysisOptions(**{field: ["bare-except", "no-such-rule"]})
    message = str(caught.value)
    assert "no-such-rule" in message and "unused-import" in message and field in message


def test_apply_options_copies_and_the_summary_follows() -> None:
    original = report(finding(), finding("bare-except"))
    filtered = apply_options(original, AnalysisOptions(select=["bare-except"]))
    assert len(original.findings) == 2
    assert filtered.counts_by_rule() == {"bare-except": 1}
    assert filtered.counts_by_category()["code_quality"] == 1
    assert filtered.files_analyzed == original.files_analyzed


def test_options_travel_inside_the_flow_request_as_json() -> None:
    request = AnalysisRequest(
        repo=".", options=AnalysisOptions(select=["bare-except"], whitelist=["legacy/**"])
    )
    again = AnalysisRequest.model_validate(request.model_dump(mode="json"))
    assert again.options == request.options
    assert AnalysisRequest(repo=".").options == AnalysisOptions()
    assert AnalysisRequest.model_validate({"repo": "."}).options.select is None


# -- whitelist entries -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "matching", "not_matching"),
    [
        ("unused-import", finding(), finding("bare-except")),
        ("pkg/**", finding(path="pkg/sub/x.py"), finding(path="other/pkg/x.py")),
        ("pkg/", finding(path="pkg/sub/x.py"), finding(path="pkg.py")),
        ("pkg/*.py", finding(path="pkg/mod.py"), finding(path="pkg/sub/mod.py")),
        ("**/mod.py", finding(path="a/b/mod.py"), finding(path="a/b/mod2.py")),
        ("**/mod.py", finding(path="mod.py"), finding(path="amod.py")),
        ("pkg/m?d.py", finding(path="pkg/mod.py"), finding(path="pkg/mood.py")),
        ("pkg/[mn]od.py", finding(path="pkg/nod.py"), finding(path="pkg/god.py")),
        ("./pkg/mod.py", finding(path="pkg/mod.py"), finding(path="pkg/mod.pyc")),
        ("unused-import:pkg/**", finding(), finding(path="lib/mod.py")),
        ("unused-import:pkg/**", finding(), finding("bare-except")),
        ("unused-import:pkg/mod.py:os", finding(), finding(symbol="sys")),
        ("unused-import:**:os", finding(path="x/y.py"), finding("unused-function")),
        ("unused-import:os", finding(path="x/y.py"), finding(symbol="sys")),
        ("os", finding("unused-function", path="a.py"), finding(symbol="osx")),
        ("os", finding(), finding(symbol=None)),
    ],
)
def test_entry_forms(entry: str, matching: Finding, not_matching: Finding) -> None:
    whitelist = Whitelist.from_entries([entry], RULES)
    assert whitelist.suppresses(matching)
    assert not whitelist.suppresses(not_matching)


def test_repeated_double_stars_stay_fast() -> None:
    whitelist = Whitelist.from_entries(["**/**/**/**/**/**/**/x.py"], RULES)
    deep = "/".join(["d"] * 60) + "/y.py"
    assert not whitelist.suppresses(finding(path=deep))
    assert whitelist.suppresses(finding(path="a/b/x.py"))


def test_a_known_rule_id_wins_over_a_symbol_and_a_dotted_word_is_a_path() -> None:
    assert parse_entry("bare-except", RULES).rule == "bare-except"
    assert parse_entry("helper", RULES).symbol == "helper"
    entry = parse_entry("setup.py", RULES)
    assert entry.symbol is None and entry.path is not None


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ("unused-imports", "unknown rule id `unused-imports`"),
        ("no-such-rule:pkg/**", "unknown rule id `no-such-rule`"),
        ("unused-import pkg", "no spaces"),
        ("a:b:c:d", "too many `:`"),
        ("unused-import:", "empty part"),
        (":os", "empty part"),
        ("unused-import:pkg/:1x", "not a Python name"),
        ("../outside/**", "`..` is not allowed"),
        ("/", "at least one name"),
    ],
)
def test_bad_entries_say_why(entry: str, why: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_entry(entry, RULES)
    assert why in str(caught.value)


def test_bad_entries_in_options_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        AnalysisOptions(whitelist=["legacy/**", "unused-imports"])
    assert "whitelist entry 2 `unused-imports`" in str(caught.value)


# -- the file ----------------------------------------------------------------------------------

FILE = """\
# accepted findings
unused-class

legacy/**            # old code, going away
unused-function:plugins/**
register_handler
"""


def test_file_entries_comments_and_blank_lines() -> None:
    assert parse_whitelist(FILE, RULES) == [
        "unused-class",
        "legacy/**",
        "unused-function:plugins/**",
        "register_handler",
    ]


def test_file_errors_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / ".cicd-whitelist"
    path.write_text(FILE + "unused-funtion:x.py\n")
    with pytest.raises(ValueError, match=r"\.cicd-whitelist line 7: `unused-funtion:x.py`"):
        load_whitelist(path, RULES)


def test_find_whitelist_at_a_directory_or_beside_a_file(tmp_path: Path) -> None:
    assert find_whitelist(tmp_path) is None
    (tmp_path / ".cicd-whitelist").write_text("os\n")
    (tmp_path / "a.py").write_text("")
    assert find_whitelist(tmp_path) == tmp_path / ".cicd-whitelist"
    assert find_whitelist(tmp_path / "a.py") == tmp_path / ".cicd-whitelist"


# -- the API the flow calls ------------------------------------------------------------------


def test_analyze_reads_the_whitelist_file_at_the_root(write_tree) -> None:
    root = write_tree(
        {
            "app.py": "import os\nimport sys\n",
            "legacy/old.py": "import json\n",
            ".cicd-whitelist": "legacy/\nunused-import:app.py:sys\n",
        }
    )
    only = AnalysisOptions(select=["unused-import"])
    assert [f.symbol for f in analyze(root, only).findings] == ["os"]
    unfiltered = only.model_copy(update={"read_whitelist_file": False})
    assert [f.symbol for f in analyze(root, unfiltered).findings] == ["os", "sys", "json"]
    extra = only.model_copy(update={"whitelist": ["os"]})
    assert analyze(root, extra).findings == []


def test_analyze_runs_only_the_selected_rules(write_tree) -> None:
    root = write_tree({"m.py": "import os\ntry:\n    pass\nexcept:\n    pass\n"})
    findings = analyze(root, AnalysisOptions(select=["bare-except", "unused-import"])).findings
    assert {f.rule for f in findings} == {"bare-except", "unused-import"}
    options = AnalysisOptions(select=["bare-except", "unused-import"], ignore=["unused-import"])
    assert {f.rule for f in analyze(root, options).findings} == {"bare-except"}


def test_analyze_with_a_bad_whitelist_file_names_the_line(write_tree) -> None:
    root = write_tree({"a.py": "", ".cicd-whitelist": "# ok\n\nnot a valid entry\n"})
    with pytest.raises(ValueError, match="line 3"):
        analyze(root)


def test_javascript_rules_are_known_to_options_and_the_whitelist() -> None:
    js = [rule for rule in RULES if rule.startswith("js-")]
    assert js, "the JS/TS registry is part of the known rule ids"
    options = AnalysisOptions(select=[js[0]], ignore=["bare-except"], whitelist=[js[0]])
    assert options.rule_ids() == [js[0]]
    assert parse_entry(js[0], RULES).rule == js[0]
    ignored = AnalysisOptions(ignore=["bare-except"]).rule_ids()
    assert ignored is not None and set(js) <= set(ignored)
