"""Subprocess through the shell.

What it finds: ``subprocess.run``/``call``/``check_call``/``check_output``/``Popen`` with
``shell=True`` (any truthy constant), and ``os.system``, ``os.popen``, ``subprocess.getoutput``,
``subprocess.getstatusoutput`` and ``asyncio.create_subprocess_shell`` (which always use the
shell) called with a non-constant command. Import aliases are resolved: ``import subprocess as
sp``, ``from subprocess import run``, ``from os import system``.

Why it matters: the shell interprets ``;``, ``|``, ``$(...)`` and quotes, so any part of the
command that comes from input (a branch name, a file name, a Slack message) can run other
commands.

Example: ``subprocess.run(f"git checkout {ref}", shell=True)`` and ``os.system("rm " + path)``
are reported; write ``subprocess.run(["git", "checkout", ref], check=True)``.

Not flagged: ``shell=False``, a non-constant ``shell=`` flag, argument lists without a shell,
``os.system("clear")`` with a constant command. ``shell=True`` with a constant command is
reported with low confidence (no injection, but a needless shell), and so are calls in test
files. ``# noqa: S602`` / ``S604`` / ``S605`` silence it.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex
from workflows.analysis.reporter import Reporter
from workflows.analysis.rules._calls import (
    arguments,
    calls_named,
    import_aliases,
    is_constant,
    is_constant_derived,
    is_truthy_constant,
    qualified_name,
    spellings,
    string_template,
)

RULE_ID = "subprocess-shell"
CATEGORY = Category.SECURITY
SEVERITY = Severity.ERROR
NODE_TYPES: frozenset[str] = frozenset({"call"})
NOQA_CODES: tuple[str, ...] = ("S602", "S604", "S605", "B602", "B605")  # ruff, bandit

_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)
_SHELL_FLAG = frozenset(
    f"subprocess.{name}" for name in ("run", "call", "check_call", "check_output", "Popen")
)
_ALWAYS_SHELL = frozenset(
    {
        "os.system",
        "os.popen",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "asyncio.create_subprocess_shell",
    }
)
_LAST_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in _SHELL_FLAG | _ALWAYS_SHELL)
_FIX = 'pass an argument list (`["git", "pull"]`) without a shell'


def check(module: ParsedModule, project: ProjectIndex) -> Iterator[Finding]:
    """Report shell-interpreted process launches whose command may carry input."""
    facts = project.symbols(module)
    aliases = import_aliases(facts)
    wanted = spellings(_LAST_NAMES, aliases)
    for call in calls_named(module, facts.nodes_of("call"), wanted, facts):
        name = qualified_name(call.child_by_field_name("function"), aliases)
        if name is None:
            continue
        args = arguments(call)
        command = args.get(0, "args" if name in _SHELL_FLAG else "cmd")
        if name in _SHELL_FLAG:
            shell = args.keywords.get("shell")
            if shell is None or not is_truthy_constant(shell):
                continue
            if command is not None and is_constant(command):
                message = f"`{name}()` uses `shell=True` for a fixed command; {_FIX}"
                yield _REPORT.at(module, call, message, confidence=35, symbol=name)
                continue
            message = f"`{name}()` runs a non-constant command with `shell=True`; {_FIX}"
        elif name in _ALWAYS_SHELL:
            if command is None or is_constant(command):
                continue
            message = f"`{name}()` runs a non-constant command through the shell; {_FIX}"
        else:
            continue
        yield _REPORT.at(module, call, message, confidence=_confidence(command), symbol=name)


def _confidence(command: Node | None) -> int:
    if command is None:
        return 60  # hidden behind *args / **kwargs
    if is_constant_derived(command):
        return 45
    built = string_template(command)
    return 95 if built is not None and built[1] else 85
