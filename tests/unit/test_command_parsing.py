"""`/cicd ...` text to typed commands, and the messages people get when it does not parse."""

from __future__ import annotations

import pytest

from bot.commands.parsing import (
    AnalyzeCommand,
    AuditCommand,
    CleanupCommand,
    CommandError,
    HelpCommand,
    RunCommand,
    WorkflowsCommand,
    parse_command,
)
from workflows.types import CATALOG, WorkflowType


def error_of(text: str) -> str:
    with pytest.raises(CommandError) as caught:
        parse_command(text)
    return str(caught.value)


@pytest.mark.parametrize("text", ["", "   ", "help", "HELP", "?"])
def test_help_and_empty(text):
    assert parse_command(text) == HelpCommand()


def test_none_text_is_help():
    assert parse_command(None) == HelpCommand()  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["workflows", "ls", "list", "Workflows"])
def test_workflows_and_aliases(text):
    assert parse_command(text) == WorkflowsCommand()


@pytest.mark.parametrize("head", ["analyze", "analyse", "ANALYZE", "component_analysis"])
def test_analyze_and_its_synonyms(head):
    command = parse_command(f"{head} contexten/agents")
    assert command == AnalyzeCommand(component="contexten/agents")
    assert command.workflow is WorkflowType.COMPONENT_ANALYSIS
    assert command.ref is None


@pytest.mark.parametrize(
    "text",
    [
        "analyze src --ref release/1.2",
        "analyze src --ref=release/1.2",
        "analyze src -r release/1.2",
        "analyze --ref release/1.2 src",
        "component_analysis -r release/1.2 src",
    ],
)
def test_ref_spellings(text):
    assert parse_command(text) == AnalyzeCommand(component="src", ref="release/1.2")


def test_ref_may_be_a_sha_or_relative_ref():
    assert parse_command("analyze src --ref 3f2a9c1").ref == "3f2a9c1"
    assert parse_command("analyze src --ref HEAD~2").ref == "HEAD~2"


def test_dot_means_whole_repository():
    assert parse_command("analyze .").component == ""


def test_component_is_normalised():
    assert parse_command("analyze ./contexten//agents/").component == "contexten/agents"


def test_missing_component():
    message = error_of("analyze")
    assert "Which component?" in message
    assert "/cicd analyze contexten/agents" in message


def test_missing_component_with_only_a_ref():
    assert "Which component?" in error_of("analyze --ref main")


def test_two_components():
    message = error_of("analyze src tests")
    assert "one component" in message
    assert "`src`" in message and "`tests`" in message


@pytest.mark.parametrize("option", ["--verbose", "-x", "--branch=main"])
def test_unknown_option(option):
    message = error_of(f"analyze src {option}")
    assert f"Unknown option `{option}`" in message
    assert "--ref" in message


@pytest.mark.parametrize("text", ["analyze src --ref", "analyze src -r"])
def test_ref_without_value(text):
    assert "`--ref` needs a value" in error_of(text)


@pytest.mark.parametrize(
    "ref",
    [
        "'main; rm -rf /'",
        "'a b'",
        "$(whoami)",
        "'x' --ref=",
        "--help",
        "-evil",
        "a" * 201,
    ],
)
def test_bad_ref(ref):
    message = error_of(f"analyze src --ref {ref}")
    assert "is not a valid git ref" in message or "needs a value" in message


def test_empty_ref_with_equals():
    assert "is not a valid git ref" in error_of("analyze src --ref=")


def test_ref_starting_with_dash_is_rejected_not_taken_as_option():
    # git would read `--upload-pack=...` style refs as options.
    message = error_of("analyze src --ref=--upload-pack")
    assert "not a valid git ref" in message


@pytest.mark.parametrize("component", ["../secrets", "src/../../etc", "..", "a/../b"])
def test_dotdot_escape_is_refused(component):
    message = error_of(f"analyze {component}")
    assert "`..` is not allowed" in message


@pytest.mark.parametrize("component", ["/etc/passwd", "C:/Windows", "'\\\\server\\share'"])
def test_absolute_path_is_refused(component):
    assert "is absolute" in error_of(f"analyze {component}")


def test_slack_link_with_label_is_unwrapped():
    assert parse_command("analyze <http://foo.py|foo.py>") == AnalyzeCommand(component="foo.py")


def test_slack_link_inside_a_path_is_unwrapped():
    command = parse_command("analyze src/<http://app.py|app.py> --ref main")
    assert command == AnalyzeCommand(component="src/app.py", ref="main")


def test_quotes_keep_spaces_and_are_removed():
    assert parse_command('analyze "my dir/sub"').component == "my dir/sub"
    assert parse_command("analyze 'src' --ref 'v1.0'") == AnalyzeCommand("src", "v1.0")


def test_backticks_around_component_are_removed():
    assert parse_command("analyze `contexten/agents`").component == "contexten/agents"


def test_unclosed_quote():
    assert "quote is not closed" in error_of('analyze "src')


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [
        ("anlyze", "analyze"),
        ("halp", "help"),
        ("workflow", "workflows"),
        ("healthcheck", "health_check"),
        ("security_audt", "security_audit"),
    ],
)
def test_unknown_command_suggests_the_nearest(typed, suggestion):
    message = error_of(f"{typed} src")
    assert f"Unknown command `{typed}`" in message
    assert f"Did you mean `{suggestion}`?" in message
    assert "/cicd help" in message


def test_unknown_command_without_a_near_match_has_no_suggestion():
    message = error_of("xyzzy")
    assert "Unknown command `xyzzy`" in message
    assert "Did you mean" not in message


@pytest.mark.parametrize(
    "name",
    [t.value for t, info in CATALOG.items() if not info.implemented],
)
def test_other_workflow_types_are_not_implemented_yet(name):
    message = error_of(f"{name} something")
    assert f"`{name}`" in message
    assert "not implemented yet" in message
    assert "/cicd workflows" in message
    assert "Unknown command" not in message


def test_health_check_runs_now_by_any_of_its_names():
    expected = RunCommand(WorkflowType.HEALTH_CHECK, ("window_hours=6",))
    assert parse_command("health window_hours=6") == expected
    assert parse_command("health_check window_hours=6") == expected
    assert parse_command("run health_check window_hours=6") == expected


# -- --linear-issue-id ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "analyze contexten/agents --linear-issue-id ZAM-1084",
        "analyze contexten/agents --linear-issue-id=zam-1084",
        "analyze --linear ZAM-1084 contexten/agents --ref main",
        'analyze contexten/agents --linear-issue-id " ZAM-1084 "',
    ],
)
def test_linear_issue_id(text):
    command = parse_command(text)
    assert (command.component, command.linear_issue_id) == ("contexten/agents", "ZAM-1084")


def test_linear_issue_uuid_is_kept_in_lower_case():
    uuid = "5A4A75C0-989C-4380-80E4-36C089BB6FBF"
    assert parse_command(f"analyze src --linear {uuid}").linear_issue_id == uuid.lower()


def test_no_linear_issue_by_default():
    assert parse_command("analyze src").linear_issue_id is None


@pytest.mark.parametrize("value", ["1084", "ZAM", "ZAM-", "ZAM-12-3", "ZAM_12", "--ref"])
def test_bad_linear_issue_id(value):
    message = error_of(f"analyze src --linear-issue-id={value}")
    assert f"`{value}` is not a Linear issue identifier such as `ZAM-1084`" in message


def test_linear_issue_id_without_value():
    message = error_of("analyze src --linear-issue-id")
    assert "`--linear-issue-id` needs a value" in message and "ZAM-1084" in message


def test_unknown_option_names_both_options():
    message = error_of("analyze src --linear-id ZAM-1")
    assert "`--ref` and `--linear-issue-id`" in message


@pytest.mark.parametrize("head", ["cleanup", "clean", "dead_code_cleanup"])
def test_cleanup_takes_a_component_and_the_same_options(head):
    parsed = parse_command(f"{head} contexten/agents --ref main --linear-issue-id zam-7")
    assert parsed == CleanupCommand("contexten/agents", "main", linear_issue_id="ZAM-7")
    assert parsed.workflow is WorkflowType.DEAD_CODE_CLEANUP
    assert "/cicd cleanup contexten/agents" in error_of(head)
    assert "`/cicd cleanup` takes `--ref`" in error_of(f"{head} x --force")


def test_audit_takes_an_optional_run():
    assert parse_command("audit") == AuditCommand()
    assert parse_command("audit brave-fox") == AuditCommand("brave-fox")
    assert parse_command("audit 0b6f2a52") == AuditCommand("0b6f2a52")
    assert "takes one run" in error_of("audit a b")
    assert "takes one run" in error_of("audit ../x")


# -- /cicd run --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "run component_analysis component=src ref=main",
        "RUN component_analysis component=src ref=main",
        "component_analysis component=src ref=main",  # a type's name with key=value words
    ],
)
def test_run_names_a_type_and_keeps_its_words(text):
    assert parse_command(text) == RunCommand(
        WorkflowType.COMPONENT_ANALYSIS, ("component=src", "ref=main")
    )


def test_run_for_every_implemented_type():
    for workflow, info in CATALOG.items():
        if info.implemented:
            assert parse_command(f"run {workflow.value}") == RunCommand(workflow, ())


def test_a_type_name_with_a_path_still_analyses():
    assert parse_command("component_analysis src") == AnalyzeCommand(component="src")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("run", "Which workflow?"),
        ("run helth_check", "Unknown workflow type `helth_check`. Did you mean `health_check`?"),
        ("run nonsense", "Types that run: `component_analysis`"),
    ],
)
def test_run_mistakes_are_explained(text, said):
    assert said in error_of(text)
