"""Block Kit renderers: realistic results in, Slack-valid blocks out, within Slack's limits."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from blocks import actions
from blocks.analysis import analysis_blocks, analysis_text
from blocks.help import help_blocks, workflows_blocks
from blocks.progress import progress_blocks, progress_text
from blocks.runs import failure_blocks
from blocks.text import clip, clip_lines, duration, escape
from tests.emulators.slack_blocks import validate_blocks
from workflows.analysis.models import AnalysisReport, Category, Finding, Severity
from workflows.integrations.linear_models import LinearIssueRef
from workflows.models.component_analysis import AnalysisRequest, ComponentAnalysisResult
from workflows.models.snapshots import RunSnapshot, StepStatus, StepView
from workflows.types import CATALOG, WorkflowType

RUN_ID = "0b6f2a52-9c1e-4d7e-8a43-5c4f1e2d3a10"
COMMIT = "4e1f0c2d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e"

RULES = [
    ("unused-import", Category.CODE_QUALITY, Severity.WARNING, "`{name}` imported but unused"),
    ("unused-function", Category.CODE_QUALITY, Severity.WARNING, "function `{name}` is never used"),
    ("bare-except", Category.CODE_QUALITY, Severity.ERROR, "bare `except:` hides every error"),
    ("import-cycle", Category.ARCHITECTURE, Severity.INFO, "`{name}` is part of an import cycle"),
    ("http-call", Category.INTEGRATION, Severity.INFO, "`{name}` calls an external HTTP API"),
    ("shell-true", Category.SECURITY, Severity.ERROR, "subprocess with shell=True in `{name}`"),
]


def make_findings(count: int, seed: int = 7) -> list[Finding]:
    rng = random.Random(seed)
    findings = []
    for i in range(count):
        rule, category, severity, message = RULES[i % len(RULES)]
        line = rng.randint(1, 900)
        findings.append(
            Finding(
                rule=rule,
                category=category,
                severity=severity,
                path=f"contexten/agents/module_{i % 37}.py",
                line=line,
                end_line=line + rng.randint(0, 5),
                message=message.format(name=f"name_{i}"),
                symbol=f"name_{i}",
            )
        )
    return findings


def make_result(findings: list[Finding], **report: Any) -> ComponentAnalysisResult:
    fields = {"files_analyzed": 37, "lines_analyzed": 12_345, "duration_s": 2.75, **report}
    return ComponentAnalysisResult(
        request=AnalysisRequest(repo="/srv/repo", component="contexten/agents", ref="main"),
        commit=COMMIT,
        report=AnalysisReport(root="/srv/repo/contexten/agents", findings=findings, **fields),
    )


def to_dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    """`.to_dict()` runs slack_sdk's own validation; then check Slack's limits ourselves."""
    dicts = [block.to_dict() for block in blocks]
    assert_within_limits(dicts)
    assert validate_blocks(dicts) == []  # the emulator's Block Kit validator agrees
    return dicts


def assert_within_limits(dicts: list[dict[str, Any]]) -> None:
    assert 0 < len(dicts) <= 50
    for block in dicts:
        kind = block["type"]
        if kind == "section":
            assert "text" in block or "fields" in block
            if "text" in block:
                assert 0 < len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10
            for field in block.get("fields", []):
                assert 0 < len(field["text"]) <= 2000
        elif kind == "header":
            assert block["text"]["type"] == "plain_text"
            assert 0 < len(block["text"]["text"]) <= 150
        elif kind == "context":
            assert 0 < len(block["elements"]) <= 10
            for element in block["elements"]:
                assert 0 < len(element["text"]) <= 3000
        elif kind == "actions":
            assert 0 < len(block["elements"]) <= 25
            for element in block["elements"]:
                if element["type"] == "button":
                    assert 0 < len(element["text"]["text"]) <= 75
                    assert len(element.get("value", "")) <= 2000
                    assert len(element["action_id"]) <= 255
        if "block_id" in block:
            assert len(block["block_id"]) <= 255


def of_type(dicts: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [b for b in dicts if b["type"] == kind]


def all_text(dicts: list[dict[str, Any]]) -> str:
    parts = []
    for block in dicts:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [f["text"] for f in block.get("fields", [])]
        parts += [e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return "\n".join(parts)


def findings_section(dicts: list[dict[str, Any]]) -> str:
    """The blocks after the divider, one line each: the top findings (one section per finding)
    and the "…and N more" note, or the no-findings line."""
    index = next(i for i, b in enumerate(dicts) if b["type"] == "divider")
    rows = [b for b in dicts[index + 1 :] if b.get("block_id", "").startswith("cicd_finding_")]
    if not rows:
        return dicts[index + 1]["text"]["text"]
    lines = [b["text"]["text"] for b in rows]
    after = dicts[index + 1 + len(rows)]
    if after["type"] == "context" and after["elements"][0]["text"].startswith("_…and"):
        lines.append(after["elements"][0]["text"])
    return "\n".join(lines)


def category_counts(dicts: list[dict[str, Any]]) -> dict[str, int]:
    fields = next(b["fields"] for b in dicts if "fields" in b)
    counts = {}
    for field in fields:
        label, numbers = field["text"].split("\n")
        counts[label.strip("*")] = int(numbers.split(" · ")[0])
    return counts


def category_scores_shown(dicts: list[dict[str, Any]]) -> dict[str, str]:
    fields = next(b["fields"] for b in dicts if "fields" in b)
    return {
        field["text"].split("\n")[0].strip("*"): field["text"].split(" · ")[1] for field in fields
    }


# -- analysis result ------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 3, 500])
def test_analysis_blocks_are_valid_for_any_size(count):
    dicts = to_dicts(analysis_blocks(make_result(make_findings(count)), RUN_ID, "brave-fox"))
    header = of_type(dicts, "header")[0]["text"]["text"]
    assert header == "Analysis of contexten/agents"
    assert dicts[1]["text"]["text"].startswith(f"{count} finding")


@pytest.mark.parametrize("count", [0, 3, 500])
def test_counts_per_category(count):
    findings = make_findings(count)
    dicts = to_dicts(analysis_blocks(make_result(findings), RUN_ID))
    expected = {
        label: sum(1 for f in findings if f.category.value == key)
        for key, label in {
            "code_quality": "Code quality",
            "architecture": "Architecture",
            "integration": "Integration",
            "security": "Security",
        }.items()
    }
    assert category_counts(dicts) == expected
    assert sum(category_counts(dicts).values()) == count


def test_scores_per_category_next_to_the_count():
    line = 10
    findings = [
        Finding(
            rule="shell-true",
            category=Category.SECURITY,
            severity=Severity.ERROR,
            path="a.py",
            line=line,
            end_line=line,
            message="shell=True",
        )
    ] * 5
    dicts = to_dicts(analysis_blocks(make_result(findings, lines_analyzed=1_000), RUN_ID))
    shown = category_scores_shown(dicts)
    # 5 errors per 1,000 lines cost 50 points: 100 * 25 / (25 + 50) = 33.3 -> "33/100"
    assert shown == {
        "Code quality": "100/100",
        "Architecture": "100/100",
        "Integration": "100/100",
        "Security": "33/100",
    }
    fields = next(b["fields"] for b in dicts if "fields" in b)
    assert "*Security*\n5 · 33/100" in [f["text"] for f in fields]
    assert dicts[1]["text"]["text"].endswith("overall score *33/100*")


def test_a_clean_report_scores_100_and_a_dirty_one_never_rounds_up_to_it():
    clean = to_dicts(analysis_blocks(make_result([]), RUN_ID))
    assert set(category_scores_shown(clean).values()) == {"100/100"}
    one = make_findings(1)  # one warning in 12,345 lines: 99.0..99.9
    shown = category_scores_shown(to_dicts(analysis_blocks(make_result(one), RUN_ID)))
    assert shown["Code quality"] == "99/100"


def test_no_findings():
    dicts = to_dicts(analysis_blocks(make_result([]), RUN_ID))
    assert "No findings" in findings_section(dicts)
    assert "more" not in all_text(dicts)
    assert dicts[1]["text"]["text"].startswith("0 findings in 37 files (12,345 lines)")


def test_three_findings_show_path_line_most_severe_first():
    findings = make_findings(3)
    dicts = to_dicts(analysis_blocks(make_result(findings), RUN_ID))
    section = findings_section(dicts)
    lines = section.split("\n")
    assert len(lines) == 3
    for finding in findings:
        assert f"`{finding.path}:{finding.line}`" in section
        assert finding.rule in section
    # bare-except (an error) comes first, with the error mark.
    assert lines[0].startswith("🔴") and "bare-except" in lines[0]
    assert all(line.startswith("🟠") for line in lines[1:])
    assert "more" not in section
    rules = of_type(dicts, "context")[0]["elements"][0]["text"]
    assert "unused-import: 1" in rules and "bare-except: 1" in rules


def test_many_findings_show_top_ten_and_how_many_more():
    findings = make_findings(500)
    result = make_result(findings)
    dicts = to_dicts(analysis_blocks(result, RUN_ID))
    lines = findings_section(dicts).split("\n")
    shown = lines[:-1]
    assert len(shown) == 10
    assert lines[-1].startswith("_…and 490 more")
    for finding, line in zip(result.top_findings(10), shown, strict=True):
        assert f"`{finding.path}:{finding.line}`" in line
    assert all(line.startswith("🔴") for line in shown)  # errors first


def test_more_count_stays_true_with_long_lines():
    long_dir = "src/" + "very_long_package_name/" * 12
    findings = [
        f.model_copy(update={"path": long_dir + f.path, "message": "m" * 4000})
        for f in make_findings(500, seed=3)
    ]
    dicts = to_dicts(analysis_blocks(make_result(findings), RUN_ID))
    lines = findings_section(dicts).split("\n")
    shown, tail = lines[:-1], lines[-1]
    assert len(shown) == 10  # each finding has its own section, cut to 3000 characters
    assert all(len(line) == 3000 and line.endswith("…") for line in shown)
    hidden = int(re.search(r"…and (\d+) more", tail).group(1))
    assert len(shown) + hidden == 500


def test_buttons_carry_the_run_id():
    dicts = to_dicts(analysis_blocks(make_result(make_findings(3)), RUN_ID))
    (buttons,) = of_type(dicts, "actions")
    assert [e["action_id"] for e in buttons["elements"]] == list(actions.ALL)
    assert {e["value"] for e in buttons["elements"]} == {RUN_ID}
    assert len({e["text"]["text"] for e in buttons["elements"]}) == 3


def test_footer_names_commit_run_and_duration():
    dicts = to_dicts(analysis_blocks(make_result([], duration_s=185.2), RUN_ID, "brave-fox"))
    footer = of_type(dicts, "context")[-1]["elements"][0]["text"]
    assert f"`{COMMIT[:12]}`" in footer and COMMIT not in footer
    assert "`brave-fox`" in footer
    assert "3 min 05 s" in footer


def test_footer_falls_back_to_run_id_and_no_commit():
    result = make_result([]).model_copy(update={"commit": None})
    footer = of_type(to_dicts(analysis_blocks(result, RUN_ID)), "context")[-1]
    assert f"`{RUN_ID}`" in footer["elements"][0]["text"]
    assert "commit" not in footer["elements"][0]["text"]


def test_finding_messages_are_escaped():
    finding = make_findings(1)[0].model_copy(
        update={"message": "x <!channel> & <@U123> > y", "path": "a&b/<c>.py"}
    )
    dicts = to_dicts(analysis_blocks(make_result([finding]), RUN_ID))
    section = findings_section(dicts)
    assert "x &lt;!channel&gt; &amp; &lt;@U123&gt; &gt; y" in section
    assert "a&amp;b/&lt;c&gt;.py" in section
    assert "<" not in section and ">" not in section
    assert "&" not in section.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")


def test_parse_errors_are_reported():
    report = {"parse_errors": [f"broken_{i}.py" for i in range(7)]}
    dicts = to_dicts(analysis_blocks(make_result([], **report), RUN_ID))
    note = next(t for t in all_text(dicts).split("\n") if "syntax errors" in t)
    assert note.startswith("⚠️ 7 file(s)")
    assert "`broken_4.py`" in note and "broken_5.py" not in note


def test_whole_repository_and_long_label():
    whole = make_result([]).model_copy(
        update={"request": AnalysisRequest(repo="/srv/repo", component="")}
    )
    header = of_type(to_dicts(analysis_blocks(whole, RUN_ID)), "header")[0]
    assert header["text"]["text"] == "Analysis of (whole repository)"
    long = make_result([]).model_copy(
        update={"request": AnalysisRequest(repo="/srv/repo", component="a/" * 200)}
    )
    header = of_type(to_dicts(analysis_blocks(long, RUN_ID)), "header")[0]
    assert len(header["text"]["text"]) == 150 and header["text"]["text"].endswith("…")


def test_analysis_text_is_a_headline():
    text = analysis_text(make_result(make_findings(1)))
    assert text.startswith("Analysis of contexten/agents: 1 finding in 37 files")


def with_linear(result: ComponentAnalysisResult, **update: Any) -> ComponentAnalysisResult:
    issue = LinearIssueRef(
        id="6f0c", identifier="ZAM-12", url="https://linear.app/zamboni/issue/ZAM-12/component"
    )
    return result.model_copy(update={"linear_issue": issue, **update})


def test_the_linear_issue_is_linked():
    dicts = to_dicts(analysis_blocks(with_linear(make_result(make_findings(3))), RUN_ID))
    line = next(t for t in all_text(dicts).split("\n") if "Linear" in t)
    assert line == "📋 Linear: <https://linear.app/zamboni/issue/ZAM-12/component|ZAM-12>"
    # Right under the scores, above the rule counts and the findings.
    contexts = of_type(dicts, "context")
    assert contexts[0]["elements"][0]["text"] == line
    assert "Linear" not in all_text(to_dicts(analysis_blocks(make_result([]), RUN_ID)))


def test_a_linear_link_cannot_break_out_of_its_markup():
    result = with_linear(make_result([]))
    odd = result.linear_issue.model_copy(
        update={"url": "https://x.test/a|b>c&d", "identifier": "Z<1>|"}
    )
    text = all_text(
        to_dicts(analysis_blocks(result.model_copy(update={"linear_issue": odd}), RUN_ID))
    )
    assert "<https://x.test/a%7Cb%3Ec&amp;d|Z&lt;1&gt;¦>" in text
    unsafe = odd.model_copy(update={"url": "javascript:alert(1)"})
    text = all_text(
        to_dicts(analysis_blocks(result.model_copy(update={"linear_issue": unsafe}), RUN_ID))
    )
    assert "javascript" not in text and "📋 Linear: Z&lt;1&gt;|" in text


def test_warnings_are_shown_escaped_above_the_buttons():
    warnings = ["Linear: results not recorded (<timeout>); the analysis is complete"]
    result = make_result([]).model_copy(update={"warnings": warnings})
    dicts = to_dicts(analysis_blocks(result, RUN_ID))
    index = next(i for i, b in enumerate(dicts) if b["type"] == "actions")
    assert dicts[index - 1]["elements"][0]["text"] == (
        "⚠️ Linear: results not recorded (&lt;timeout&gt;); the analysis is complete"
    )


# -- progress -------------------------------------------------------------------------------


def snapshot(**overrides: Any) -> RunSnapshot:
    values: dict[str, Any] = {
        "run_id": RUN_ID,
        "run_name": "brave-fox",
        "workflow": "component_analysis",
        "state": "RUNNING",
        "state_name": "Running",
        "elapsed_s": 4.25,
        "steps": [
            StepView(key="checkout", label="Check out", status=StepStatus.DONE),
            StepView(key="parse", label="Parse files", status=StepStatus.RUNNING, detail="120/450"),
            StepView(key="report", label="Report <findings>", status=StepStatus.PENDING),
            StepView(key="linear", label="Linear issue", status=StepStatus.FAILED),
        ],
    }
    values.update(overrides)
    return RunSnapshot(**values)


def test_progress_marks_per_status():
    dicts = to_dicts(progress_blocks("Analysis of contexten/agents", snapshot()))
    steps = dicts[1]["text"]["text"].split("\n")
    assert steps == [
        "✅ Check out",
        "⏳ *Parse files* — 120/450",
        "⬜ Report &lt;findings&gt;",
        "❌ Linear issue",
    ]


@pytest.mark.parametrize(
    ("elapsed", "shown"),
    [(0.4, "0.4 s"), (4.25, "4.2 s"), (42.0, "42 s"), (185.0, "3 min 05 s"), (3725, "62 min 05 s")],
)
def test_progress_head_shows_state_and_elapsed(elapsed, shown):
    dicts = to_dicts(progress_blocks("Analysis & co", snapshot(elapsed_s=elapsed)))
    assert dicts[0]["text"]["text"] == f"*Analysis &amp; co* · running · {shown}"
    assert progress_text("Analysis", snapshot(elapsed_s=elapsed)) == f"Analysis: running, {shown}"


def test_progress_footer_shows_failure_message_but_not_on_success():
    failed = to_dicts(progress_blocks("T", snapshot(state="FAILED", message="boom <x>")))
    footer = failed[-1]["elements"][0]["text"]
    assert "`brave-fox`" in footer and "boom &lt;x&gt;" in footer
    assert "failed" in failed[0]["text"]["text"]
    done = to_dicts(progress_blocks("T", snapshot(state="COMPLETED", message="all good")))
    assert "all good" not in done[-1]["elements"][0]["text"]
    assert "· done ·" in done[0]["text"]["text"]


def test_progress_unknown_state_is_lowercased_and_no_name_falls_back_to_id():
    dicts = to_dicts(progress_blocks("T", snapshot(state="WEIRD", run_name="")))
    assert "· weird ·" in dicts[0]["text"]["text"]
    assert f"`{RUN_ID}`" in dicts[-1]["elements"][0]["text"]


def test_progress_stays_within_limits_with_huge_input():
    steps = [
        StepView(key=f"s{i}", label=f"Step {i} " + "x" * 80, detail="d" * 200) for i in range(100)
    ]
    dicts = to_dicts(
        progress_blocks("T" * 5000, snapshot(steps=steps, state="FAILED", message="m" * 9000))
    )
    assert len(dicts[1]["text"]["text"]) <= 3000


# -- failures, help, catalogue --------------------------------------------------------------


def test_failure_with_run_has_a_primary_retry_button():
    dicts = to_dicts(failure_blocks("Analysis of a&b", "git <clone> failed", RUN_ID))
    assert dicts[0]["text"]["text"] == "❌ *Analysis of a&amp;b* failed: git &lt;clone&gt; failed"
    (buttons,) = of_type(dicts, "actions")
    (button,) = buttons["elements"]
    assert button["action_id"] == actions.RETRY
    assert button["value"] == RUN_ID
    assert button["style"] == "primary"


def test_failure_without_run_has_no_button_and_long_reason_is_clipped():
    dicts = to_dicts(failure_blocks("Analysis", "why " * 5000, None))
    assert of_type(dicts, "actions") == []
    assert dicts[0]["text"]["text"].endswith("…")


def test_help_blocks():
    dicts = to_dicts(help_blocks("acme/widgets"))
    text = all_text(dicts)
    assert "/cicd analyze" in text and "/cicd workflows" in text and "/cicd help" in text
    assert "/cicd run" in text
    assert "`acme/widgets`" in text


def test_workflows_blocks_list_all_twenty_honestly_with_parameters():
    runnable = {w for w, info in CATALOG.items() if info.implemented}
    params = {w: [f"`{w.value}_param=<text>` required"] for w in runnable}
    dicts = to_dicts(workflows_blocks(params))
    sections = [d["text"]["text"] for d in dicts[1:]]
    assert len(sections) == len(runnable) + 1  # one per runnable type, then the others
    for workflow, text in zip(sorted(runnable, key=list(CATALOG).index), sections, strict=False):
        assert text.startswith(f"✅ *`/cicd run {workflow.value}`*")
        assert f"`{workflow.value}_param=<text>` required" in text
    waiting = sections[-1].split("\n")
    assert waiting[0] == "*Not implemented yet*"
    assert [line.split("`")[1] for line in waiting[1:]] == [
        w.value for w, info in CATALOG.items() if not info.implemented
    ]
    assert len(runnable) + len(waiting) - 1 == len(WorkflowType) == 20


# -- text helpers ---------------------------------------------------------------------------


def test_escape():
    assert escape("a < b && c > d") == "a &lt; b &amp;&amp; c &gt; d"
    assert escape("&lt;") == "&amp;lt;"  # not double-decoded
    assert escape("plain") == "plain"


@pytest.mark.parametrize("limit", [1, 5, 10, 11, 150])
def test_clip(limit):
    text = "abcdefghij"
    clipped = clip(text, limit)
    assert len(clipped) <= limit
    if len(text) <= limit:
        assert clipped == text
    else:
        assert clipped.endswith("…") and text.startswith(clipped[:-1])


def test_clip_lines_keeps_everything_that_fits():
    lines = ["a" * 10, "b" * 10]
    assert clip_lines(lines, 21) == "a" * 10 + "\n" + "b" * 10
    assert clip_lines([], 10) == ""


def test_clip_lines_says_how_many_were_left_out():
    lines = [f"line {i:02d}" for i in range(10)]  # 7 characters each
    text = clip_lines(lines, 40)
    assert len(text) <= 40
    kept = text.split("\n")
    assert kept[:-1] == lines[: len(kept) - 1]
    assert kept[-1] == f"…and {10 - (len(kept) - 1)} more"


def test_clip_lines_counts_lines_hidden_by_the_caller():
    assert clip_lines(["a", "b"], 100, hidden=5) == "a\nb\n…and 5 more"
    assert clip_lines(["a" * 50, "b"], 20, more="+{n}", hidden=5) == "+7"


def test_clip_lines_never_exceeds_the_limit():
    rng = random.Random(1)
    for _ in range(300):
        lines = ["x" * rng.randint(0, 60) for _ in range(rng.randint(0, 30))]
        limit = rng.randint(12, 400)
        text = clip_lines(lines, limit)
        assert len(text) <= limit
        kept = text.split("\n") if text else []
        if text == "\n".join(lines):
            continue
        left = int(re.fullmatch(r"…and (\d+) more", kept[-1]).group(1))
        assert len(kept) - 1 + left == len(lines)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0.0 s"),
        (1.25, "1.2 s"),
        (9.94, "9.9 s"),
        (10, "10 s"),
        (42.4, "42 s"),
        (60, "1 min 00 s"),
        (61.9, "1 min 01 s"),
        (185, "3 min 05 s"),
        (3600, "60 min 00 s"),
    ],
)
def test_duration(seconds, text):
    assert duration(seconds) == text
