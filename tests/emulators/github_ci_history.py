"""A realistic CI history for the GitHub emulator, to analyse failures against.

- branch ``release``: a green CI run, then two commits (Bob's bug, Alice's docs), then a red
  run whose ``test`` job fails with pytest assertion errors (the log is from the benchmark
  corpus);
- branch ``flaky``: one commit with a red run (``test`` killed by a registry ECONNRESET) and a
  green run of the same commit;
- branch ``slow``: one commit whose ``test`` job timed out on two runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.emulators.github import GitHubEmulator

CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "failure_logs"
ALICE = ("Alice Liddell", "alice@users.noreply.github.com")
BOB = ("Bob Builder", "bob@example.com")
BUGGY_APP = "def add(a, b):\n    return a + b + 1\n\n\ndef sub(a, b):\n    return a - b\n"


@dataclass(frozen=True)
class CiHistory:
    """Run ids and commits of the seeded history."""

    green: int
    red: int
    suspects: tuple[str, ...]  # oldest first
    flaky_red: int
    flaky_green: int
    slow_first: int
    slow_second: int


def corpus_log(name: str) -> str:
    """A log of the benchmark corpus."""
    return (CORPUS / name).read_text(encoding="utf-8")


def _jobs(test_conclusion: str, log: str | None = None) -> list[dict[str, object]]:
    test: dict[str, object] = {"name": "test", "conclusion": test_conclusion}
    if log is not None:
        test["log"] = log
    return [{"name": "lint", "conclusion": "success"}, test]


def seed_ci_history(emu: GitHubEmulator) -> CiHistory:
    """Add the branches, commits and CI runs described in the module docstring."""
    emu.push_commit("release", {"CHANGES.md": "# 1.0\n"}, message="Start 1.0", author=ALICE)
    green = emu.add_run("CI", branch="release", jobs=_jobs("success"))
    bug = emu.push_commit(
        "release", {"src/widgets/app.py": BUGGY_APP}, message="Make add faster", author=BOB
    )
    docs = emu.push_commit(
        "release",
        {"README.md": "# widgets\n\nAdds numbers.\n"},
        message="Document add",
        author=ALICE,
    )
    red = emu.add_run(
        "CI",
        branch="release",
        conclusion="failure",
        jobs=_jobs("failure", corpus_log("pytest_assertion.log")),
    )
    emu.push_commit("flaky", {"flaky.txt": "1\n"}, message="Touch", author=ALICE)
    flaky_red = emu.add_run(
        "CI",
        branch="flaky",
        conclusion="failure",
        jobs=_jobs("failure", corpus_log("npm_econnreset.log")),
    )
    flaky_green = emu.add_run("CI", branch="flaky", jobs=_jobs("success"))
    emu.push_commit("slow", {"slow.txt": "1\n"}, message="Slow down", author=BOB)
    timeout_log = corpus_log("job_timeout.log")
    slow = [
        emu.add_run("CI", branch="slow", conclusion="failure", jobs=_jobs("failure", timeout_log))
        for _ in range(2)
    ]
    return CiHistory(green, red, (bug, docs), flaky_red, flaky_green, slow[0], slow[1])
