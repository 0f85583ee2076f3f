"""The security rules: their fixture trees, confidence levels, masking and shared helpers."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from tests.unit.analysis.helpers import FIXTURES, copy_fixture, expected_markers
from workflows.analysis import Category, Severity, analyze_path
from workflows.analysis.models import AnalysisReport
from workflows.analysis.parsing import parse_source
from workflows.analysis.rules import RULES
from workflows.analysis.rules._calls import (
    import_aliases,
    is_constant,
    is_constant_derived,
    qualified_name,
    string_template,
)
from workflows.analysis.symbols import collect_symbols

SECURITY_RULES = (
    "eval-exec",
    "subprocess-shell",
    "unsafe-deserialization",
    "tls-verification-disabled",
    "sql-string-formatting",
    "hardcoded-secret",
)
_ALNUM = string.ascii_letters + string.digits


def _fixture(rule_id: str) -> str:
    return "security_" + rule_id.replace("-", "_")


def _random(alphabet: str, length: int, rng: random.Random) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def _tokens() -> dict[str, tuple[str, str]]:
    """Name -> (token, masked prefix); built here so no real-format literal sits in the repo."""
    rng = random.Random(20240611)
    upper = string.ascii_uppercase + string.digits
    part = string.ascii_letters + string.digits + "_-"
    return {
        "AWS_KEY_ID": ("AK" + "IA" + _random(upper, 16, rng), "AKIA"),
        "GITHUB_TOKEN": ("gh" + "p_" + _random(_ALNUM, 36, rng), "ghp_"),
        "FINE_GRAINED": ("github" + "_pat_" + _random(_ALNUM + "_", 82, rng), "github_pat_"),
        "BOT": (
            "xo"
            + "xb-"
            + "".join(rng.choice("56789") for _ in range(12))
            + "-".join(rng.choice("56789") for _ in range(13))
            + "-"
            + _random(_ALNUM, 24, rng),
            "xoxb-",
        ),
        "LINEAR": ("lin" + "_api_" + _random(_ALNUM, 40, rng), "lin_api_"),
        "STRIPE": ("sk" + "_live_" + _random(_ALNUM, 24, rng), "sk_live_"),
        "GOOGLE": ("AI" + "za" + _random(_ALNUM, 35, rng), "AIza"),
        "PEM": (
            "-----BEGIN " + "RSA PRIVATE KEY-----\\n" + _random(_ALNUM + "+/", 64, rng),
            "-----BEGIN ",
        ),
        "SESSION": (
            "ey" + "J" + _random(part, 30, rng) + ".ey" + "J" + _random(part, 40, rng) + "."
            "" + _random(part, 43, rng),
            "eyJ",
        ),
    }


def _tokens_module(marker: bool = True) -> str:
    suffix = "  # expect: hardcoded-secret" if marker else ""
    return "".join(f'{name} = "{token}"{suffix}\n' for name, (token, _) in _tokens().items())


def _confidences(report: AnalysisReport) -> list[tuple[int, int]]:
    return [(f.line, f.confidence) for f in report.findings]


@pytest.mark.parametrize("rule_id", SECURITY_RULES)
def test_rule_is_registered_as_security(rule_id: str) -> None:
    assert RULES[rule_id].category is Category.SECURITY
    assert RULES[rule_id].severity is Severity.ERROR


@pytest.mark.parametrize("rule_id", SECURITY_RULES)
def test_flagged_fixture_reports_exactly_the_marked_lines(rule_id: str, tmp_path: Path) -> None:
    root = copy_fixture(f"{_fixture(rule_id)}/flagged", tmp_path / "src")
    if rule_id == "hardcoded-secret":
        (root / "tokens.py").write_text(_tokens_module(), encoding="utf-8")
    expected = expected_markers(root)
    assert expected and {rule for _, _, rule in expected} == {rule_id}

    report = analyze_path(root, select=[rule_id])

    assert {(f.path, f.line, f.rule) for f in report.findings} == expected
    assert len(report.findings) == len(expected), "one finding per marked line"
    assert all(0 < f.confidence <= 100 for f in report.findings)
    assert report.parse_errors == []


@pytest.mark.parametrize("rule_id", SECURITY_RULES)
def test_not_flagged_fixture_is_silent(rule_id: str, tmp_path: Path) -> None:
    root = copy_fixture(f"{_fixture(rule_id)}/not_flagged", tmp_path / "src")
    assert expected_markers(root) == set()

    report = analyze_path(root, select=[rule_id])

    assert [f"{f.path}:{f.line} {f.message}" for f in report.findings] == []
    assert report.parse_errors == []


def test_fixture_trees_exist_for_every_security_rule() -> None:
    for rule_id in SECURITY_RULES:
        for case in ("flagged", "not_flagged"):
            assert any((FIXTURES / _fixture(rule_id) / case).rglob("*.py")), (rule_id, case)


def test_known_token_formats_are_masked_and_sure(write_tree) -> None:
    tokens = _tokens()
    report = analyze_path(
        write_tree({"tokens.py": _tokens_module(False)}), select=["hardcoded-secret"]
    )

    assert [f.line for f in report.findings] == list(range(1, len(tokens) + 1))
    for finding, (name, (token, prefix)) in zip(report.findings, tokens.items(), strict=True):
        assert f"`{prefix}****`" in finding.message, name
        assert token not in finding.message and token[len(prefix) :][:8] not in finding.message
        assert finding.confidence == (85 if name == "SESSION" else 95), name


def test_named_secret_confidence_follows_entropy_and_never_shows_the_value(write_tree) -> None:
    source = 'password = "hunter22"\napi_key = "q8Zr2LmX9vTpK4sW7nB3xY"\n'  # gitleaks:allow
    report = analyze_path(write_tree({"settings.py": source}), select=["hardcoded-secret"])

    assert _confidences(report) == [(1, 50), (2, 80)]
    assert [f.symbol for f in report.findings] == ["password", "api_key"]
    assert not any("hunter" in f.message or "q8Zr" in f.message for f in report.findings)


def test_test_files_are_checked_with_lower_confidence(write_tree) -> None:
    gh_token = _tokens()["GITHUB_TOKEN"][0]
    source = f'password = "hunter22"\nTOKEN = "{gh_token}"\n'
    root = write_tree({"tests/test_login.py": source, "app.py": source})

    report = analyze_path(root, select=["hardcoded-secret"])

    by_path = {
        p: [c for f in report.findings if f.path == p for c in [f.confidence]]
        for p in (
            "app.py",
            "tests/test_login.py",
        )
    }
    assert by_path == {"app.py": [50, 95], "tests/test_login.py": [20, 65]}


def test_every_security_rule_lowers_confidence_in_test_files(write_tree) -> None:
    source = "import os\nos.system(cmd)\n"
    root = write_tree({"app.py": source, "tests/test_app.py": source})

    report = analyze_path(root, select=["subprocess-shell"])

    assert [(f.path, f.confidence) for f in report.findings] == [
        ("app.py", 85),
        ("tests/test_app.py", 55),
    ]


def test_subprocess_confidence_depends_on_the_command(write_tree) -> None:
    source = """
        import subprocess
        subprocess.run("ls -la", shell=True)
        subprocess.run(f"ls {path}", shell=True)
        subprocess.run(cmd, shell=True)
        subprocess.run(LIST_COMMAND, shell=True)
        subprocess.run(*args, shell=True)
    """
    report = analyze_path(write_tree({"m.py": source}), select=["subprocess-shell"])

    assert _confidences(report) == [(2, 35), (3, 95), (4, 85), (5, 45), (6, 60)]
    assert "fixed command" in report.findings[0].message


def test_eval_confidence_depends_on_the_source(write_tree) -> None:
    source = (
        'eval(text)\nexec(f"x = {v}")\ncode = compile(src, "f", "exec")\nexec(dedent("x = 1"))\n'
        'compile(src, "f", "eval")\nexec(code)\n'
    )
    report = analyze_path(write_tree({"m.py": source}), select=["eval-exec"])

    assert _confidences(report) == [(1, 70), (2, 90), (3, 60), (4, 40)]
    assert [f.symbol for f in report.findings] == ["eval", "exec", "compile", "exec"]


def test_yaml_loader_confidence(write_tree) -> None:
    source = """
        import yaml
        yaml.load(text)
        yaml.load(text, Loader=yaml.FullLoader)
        yaml.load(text, Loader=MyLoader)
        yaml.load(text, Loader=yaml.CSafeLoader)
    """
    report = analyze_path(write_tree({"m.py": source}), select=["unsafe-deserialization"])

    assert _confidences(report) == [(2, 90), (3, 50), (4, 35)]
    assert "yaml.safe_load()" in report.findings[0].message


def test_tls_disable_warnings_is_a_low_confidence_warning(write_tree) -> None:
    source = """
        import requests, urllib3
        urllib3.disable_warnings()
        requests.get(url, verify=False)
        if args.insecure:
            requests.get(url, verify=False)
    """
    report = analyze_path(write_tree({"m.py": source}), select=["tls-verification-disabled"])

    assert [(f.line, f.severity, f.confidence) for f in report.findings] == [
        (2, Severity.WARNING, 40),
        (3, Severity.ERROR, 95),
        (5, Severity.ERROR, 55),
    ]


def test_tls_settings_a_library_manages_get_low_confidence(write_tree) -> None:
    source = """
        import ssl
        class Context:
            def __init__(self):
                self.check_hostname = False
        def temporarily(ctx):
            saved = ctx.check_hostname
            ctx.check_hostname = False
            try:
                yield
            finally:
                ctx.check_hostname = saved
        def always(ctx):
            ctx.check_hostname = False
    """
    report = analyze_path(write_tree({"m.py": source}), select=["tls-verification-disabled"])

    assert _confidences(report) == [(4, 50), (7, 50), (13, 90)]


def test_sql_confidence(write_tree) -> None:
    source = """
        def f(cur, table, name, a):
            cur.execute(f"SELECT * FROM runs WHERE name = '{name}'")
            cur.execute(f"SELECT * FROM runs WHERE a = {a} AND b = %s", (name,))
            cur.execute(f"SELECT * FROM {table}")
            cur.execute(f"SELECT * FROM {table} WHERE id = %s", (name,))
            cur.execute(f"SELECT * FROM {TABLE}")
            cur.execute(f"DROP {table}")
            query = "SELECT * FROM runs WHERE name = '%s'" % name
            cur.execute(query)
    """
    report = analyze_path(write_tree({"m.py": source}), select=["sql-string-formatting"])

    assert _confidences(report) == [(2, 90), (3, 70), (4, 60), (5, 40), (6, 40), (7, 70), (9, 80)]
    assert "`query`" in report.findings[-1].message


@pytest.mark.parametrize(
    ("rule_id", "line"),
    [
        ("subprocess-shell", "import os\nos.system(cmd)  # noqa: S605\n"),
        ("eval-exec", "eval(x)  # noqa: eval-exec\n"),
        ("hardcoded-secret", 'password = "hunter22"  # noqa: S105\n'),
        ("sql-string-formatting", 'cur.execute(f"SELECT {x} FROM t")  # noqa: S608\n'),
    ],
)
def test_noqa_codes_silence_findings(rule_id: str, line: str, write_tree) -> None:
    assert analyze_path(write_tree({"m.py": line}), select=[rule_id]).findings == []


def _module_nodes(source: str) -> tuple[list, dict[str, str]]:
    module = parse_source(source.encode())
    symbols = collect_symbols(module, {"call"})
    values = [c.child_by_field_name("function") for c in symbols.nodes_of("call")]
    return values, import_aliases(symbols)


def test_qualified_name_goes_through_import_aliases() -> None:
    source = "import subprocess as sp\nfrom os import system as s\nimport os.path\n"
    source += "sp.run()\ns()\nos.path.join()\neval()\nf().x()\nlocal.load()\n"
    functions, aliases = _module_nodes(source)

    names = [qualified_name(f, aliases) for f in functions]

    assert names == ["subprocess.run", "os.system", "os.path.join", "eval", None, "f", None]


def test_constant_and_template_helpers() -> None:
    source = (
        'f("a" "b", -1, ("x",), "a" + "b", NAME, dedent("x"), f"{y}", "%s" % y, "{}".format(1))'
    )
    call = parse_source(source.encode()).root.named_children[0].named_children[0]
    args = call.child_by_field_name("arguments").named_children

    assert [is_constant(a) for a in args] == [True] * 4 + [False] * 5
    assert [is_constant_derived(a) for a in args] == [True] * 6 + [False] * 2 + [True]
    assert string_template(args[6]) == ("{}", True)
    assert string_template(args[7]) == ("{}", True)
    assert string_template(args[8]) == ("{}", False)
    assert string_template(args[4]) is None
