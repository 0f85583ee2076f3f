"""New findings: on changed lines, with no counterpart on base (rule + path + subject)."""

from __future__ import annotations

from workflows.analysis.models import Category, Finding, Severity
from workflows.quality_gate.complexity import FunctionComplexity
from workflows.quality_gate.diff import ChangedLines, FileLines
from workflows.quality_gate.matching import compare_findings, finding_key


def finding(
    rule: str,
    path: str,
    line: int,
    *,
    symbol: str | None = None,
    message: str = "message",
    end_line: int | None = None,
    severity: Severity = Severity.WARNING,
) -> Finding:
    return Finding(
        rule=rule,
        category=Category.CODE_QUALITY,
        severity=severity,
        path=path,
        line=line,
        end_line=end_line or line,
        message=message,
        symbol=symbol,
    )


def changed(*files: FileLines) -> ChangedLines:
    return ChangedLines(files={f.path: f for f in files})


APP = FileLines(path="app.py", old_path="app.py", spans=[(10, 14)])


def test_a_finding_on_a_changed_line_without_counterpart_is_new() -> None:
    head = [finding("unused-import", "app.py", 11, symbol="json")]
    result = compare_findings(head, [], changed(APP))
    assert [(n.finding.symbol, n.line) for n in result.new] == [("json", 11)]
    assert result.existing == 0


def test_findings_off_the_changed_lines_are_never_new() -> None:
    head = [finding("unused-import", "app.py", 3, symbol="os")]  # old, untouched
    head.append(finding("bare-except", "other.py", 12, message="bare `except:`"))
    result = compare_findings(head, [], changed(APP))
    assert result.new == [] and result.existing == 0


def test_moved_code_keeps_its_identity() -> None:
    """The same finding at another line (the function moved) matches base's: not new."""
    base = [finding("unused-function", "app.py", 40, symbol="helper")]
    head = [finding("unused-function", "app.py", 12, symbol="helper")]
    result = compare_findings(head, base, changed(APP))
    assert result.new == [] and result.existing == 1


def test_identities_are_counted() -> None:
    """A second bare except in a file that had one is new; the first stays old."""
    base = [finding("bare-except", "app.py", 3, message="bare `except:`")]
    head = [
        finding("bare-except", "app.py", 3, message="bare `except:`"),
        finding("bare-except", "app.py", 12, message="bare `except:`"),
    ]
    result = compare_findings(head, base, changed(APP))
    assert [n.finding.line for n in result.new] == [12]


def test_without_symbol_numbers_in_messages_do_not_matter() -> None:
    base = [finding("duplicate-code", "app.py", 50, message="lines 50-60 duplicate `b.py`:1-11")]
    head = [finding("duplicate-code", "app.py", 10, message="lines 10-20 duplicate `b.py`:3-13")]
    assert compare_findings(head, base, changed(APP)).new == []
    assert finding_key(head[0]) == ("duplicate-code", "app.py", ": lines #-# duplicate `b.py`:#-#")


def test_a_different_rule_or_symbol_is_new() -> None:
    base = [finding("unused-import", "app.py", 11, symbol="os")]
    head = [
        finding("unused-import", "app.py", 11, symbol="json"),
        finding("unused-variable", "app.py", 12, symbol="os"),
    ]
    assert len(compare_findings(head, base, changed(APP)).new) == 2


def test_a_renamed_file_keeps_its_findings() -> None:
    moved = FileLines(path="pkg/app.py", old_path="app.py", spans=[(1, 30)])
    base = [finding("unused-import", "app.py", 2, symbol="os")]
    head = [finding("unused-import", "pkg/app.py", 2, symbol="os")]
    assert compare_findings(head, base, changed(moved)).new == []


def test_a_finding_spanning_a_change_comments_on_its_first_changed_line() -> None:
    """A function-wide finding (complexity) whose body changed is anchored inside the diff."""
    head = [finding("complex-function", "app.py", 5, symbol="run", end_line=30)]
    (new,) = compare_findings(head, [], changed(APP)).new
    assert new.line == 10 and new.finding.line == 5


def fn(name: str, line: int, end_line: int) -> FunctionComplexity:
    return FunctionComplexity(name=name, line=line, end_line=end_line, complexity=1)


def test_a_symbol_less_finding_is_told_apart_by_its_function() -> None:
    """`legacy` moved below a new `risky` function; both bare excepts are on changed lines.

    Without knowing the functions the first one in file order (risky's) would be taken as new
    by luck; with them, legacy's matches base whatever the order.
    """
    message = "bare `except:`"
    base = [finding("bare-except", "app.py", 5, message=message)]
    base_scopes = {"app.py": [fn("legacy", 3, 6)]}
    moved = FileLines(path="app.py", old_path="app.py", spans=[(3, 20)])
    head = [
        finding("bare-except", "app.py", 6, message=message),  # legacy, now first
        finding("bare-except", "app.py", 16, message=message),  # risky
    ]
    head_scopes = {"app.py": [fn("legacy", 3, 7), fn("risky", 12, 17)]}
    result = compare_findings(head, base, changed(moved), head_scopes, base_scopes)
    assert [n.finding.line for n in result.new] == [16]
    assert result.existing == 1
    unscoped = compare_findings(head, base, changed(moved))
    assert [n.finding.line for n in unscoped.new] == [6]  # the ambiguity scopes resolve


def test_a_new_function_whose_body_git_aligned_with_old_code_is_still_judged() -> None:
    """Only the edges of `risky` are changed lines (its body matches an old one's text); the
    bare except inside is new all the same, commented on the function's first changed line."""
    head = [finding("bare-except", "app.py", 29, message="bare `except:`")]
    edges = FileLines(path="app.py", old_path="app.py", spans=[(26, 26), (30, 30)])
    scopes = {"app.py": [fn("risky", 26, 30)]}
    (new,) = compare_findings(head, [], changed(edges), scopes).new
    assert (new.finding.line, new.line) == (29, 26)
    assert compare_findings(head, [], changed(edges)).new == []  # without scopes: off the lines
