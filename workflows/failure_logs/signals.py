"""The lines that give a CI failure away, per kind of failure.

A *strong* signal decides the kind on its own (`exceeded the maximum execution time`,
`JavaScript heap out of memory`, `Found 3 errors.` from ruff); a *weak* one only counts when
nothing strong was found (a generic `npm ERR!`, a pip retry warning that may have recovered).
Patterns are matched against one cleaned line at a time (no timestamp, no colour codes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class FailureKind(StrEnum):
    """What made a CI job fail."""

    TEST = "test_failure"
    LINT = "lint"
    BUILD = "build"  # compiling, packaging or resolving dependencies
    TIMEOUT = "timeout"
    OUT_OF_MEMORY = "out_of_memory"
    INFRASTRUCTURE = "infrastructure"  # the runner, the network or a registry, not the code
    UNKNOWN = "unknown"


LABELS = {
    FailureKind.TEST: "Test failure",
    FailureKind.LINT: "Lint",
    FailureKind.BUILD: "Build or dependency resolution",
    FailureKind.TIMEOUT: "Timeout",
    FailureKind.OUT_OF_MEMORY: "Out of memory",
    FailureKind.INFRASTRUCTURE: "Infrastructure or network flake",
    FailureKind.UNKNOWN: "Unknown",
}

# When strong signals of several kinds meet in one failing step, the first kind here wins: a
# test run killed for memory is an out-of-memory failure, a timed-out build is a timeout.
PRECEDENCE = (
    FailureKind.TIMEOUT,
    FailureKind.OUT_OF_MEMORY,
    FailureKind.INFRASTRUCTURE,
    FailureKind.TEST,
    FailureKind.LINT,
    FailureKind.BUILD,
)


@dataclass(frozen=True)
class Signal:
    """A pattern that points at one kind of failure."""

    kind: FailureKind
    pattern: re.Pattern[str]
    strong: bool = True


def _signals(kind: FailureKind, *patterns: str, strong: bool = True) -> list[Signal]:
    return [Signal(kind, re.compile(p), strong) for p in patterns]


K = FailureKind
SIGNALS: tuple[Signal, ...] = (
    *_signals(
        K.TIMEOUT,
        r"has exceeded the maximum execution time of",
        r"has timed out after \d+ minutes?",
        r"^\+{5,} Timeout \+{5,}$",  # pytest-timeout
        r"Failed: Timeout >\d",
        r"panic: test timed out after",
        r"\bdeadline exceeded while waiting for job\b",
    ),
    *_signals(K.TIMEOUT, r"##\[error\]The operation was canceled\.", strong=False),
    *_signals(
        K.OUT_OF_MEMORY,
        r"JavaScript heap out of memory",
        r"Reached heap limit Allocation failed",
        r"^Killed$|: Killed$|line \d+: +\d+ Killed\s",
        r"Killed signal terminated program",
        r"exit code 137\b",
        r"\bMemoryError\b",
        r"java\.lang\.OutOfMemoryError",
        r"fatal error: runtime: out of memory",
        r"Cannot allocate memory",
        r"\boom[-_ ]kill",
        r"The runner has run out of memory",
    ),
    *_signals(
        K.INFRASTRUCTURE,
        r"The runner has received a shutdown signal",
        r"lost communication with the server",
        r"Could not resolve host",
        r"Temporary failure in name resolution",
        r"getaddrinfo (?:EAI_AGAIN|ENOTFOUND)",
        r"\bECONNRESET\b|Connection reset by peer|ConnectionResetError",
        r"\bETIMEDOUT\b|Connection timed out",
        r"\b50[234] (?:Service Unavailable|Bad Gateway|Gateway Time-?out)\b",
        r"received unexpected HTTP status: 5\d\d",
        r"Max retries exceeded with url",
        r"ReadTimeoutError\(|ReadTimeoutError: HTTPSConnectionPool",
        r"TLS handshake timeout",
        r"RPC failed; curl \d+",
        r"fatal: unable to access '.*': "
        r"(?:Could not|Failed to connect|The requested URL returned error: 5)",
        r"toomanyrequests: You have reached your pull rate limit",
        r"No space left on device",
        r"Error: HttpError: HTTP 50\d|ECONNREFUSED .*registry",
    ),
    *_signals(
        K.INFRASTRUCTURE,
        r"Retrying \(Retry\(total=\d+.*connection broken by",
        r"npm WARN .*network",
        strong=False,
    ),
    *_signals(
        K.TEST,
        r"^=+ .*\b\d+ failed\b.* in [\d.]+s",  # pytest's last line
        r"^FAILED \S+::\S+",
        r"^FAILED \(.*(?:failures|errors)=\d+",  # unittest
        r"^(?:FAIL|ERROR): \w+ \([\w.]+\)",
        r"^Tests:\s+\d+ failed",  # jest
        r"^\s*--- FAIL: \S+",  # go test
        r"^test result: FAILED\.",  # cargo test
        r"Tests run: \d+, Failures: [1-9]",  # surefire
    ),
    *_signals(
        K.TEST,
        r"^ERROR \S+\.py(?:::\S+)? - ",
        r"error during collection",
        r"^\s*● ",
        strong=False,
    ),
    *_signals(
        K.LINT,
        r"^Found \d+ errors?\.(?: \[\*\] \d+ fixable)?",  # ruff check
        r"^Would reformat:|^\d+ files? would be reformatted",  # ruff format / black
        r"^would reformat ",
        r"^Oh no! 💥 💔 💥",
        r"^\S+\.pyi?:\d+:\d+: [A-Z]{1,3}\d{3,4} ",  # flake8 / ruff concise
        r"^✖ \d+ problems? \(\d+ errors?",  # eslint
        r"^\s+\d+:\d+\s+error\s+\S.*\s[@\w/-]+$",  # eslint's stylish lines
        r"^Found \d+ errors? in \d+ files? \(checked",  # mypy
        r"^\S+\.pyi?:\d+: error: .*\[[a-z-]+\]$",  # mypy
        r"^\[warn\] Code style issues found",  # prettier
        r"^\S+\.go:\d+:\d+: .+ \(\w+\)$",  # golangci-lint
        r"^In \S+ line \d+:$|^SC\d{4}",  # shellcheck
        r"^- hook id: ",  # pre-commit
    ),
    *_signals(
        K.BUILD,
        r"Could not find a version that satisfies the requirement",
        r"No matching distribution found for",
        r"ResolutionImpossible",
        r"version solving failed",
        r"npm ERR! code (?:ERESOLVE|E404|ETARGET)",
        r"npm ERR! (?:peer dep|Could not resolve dependency)",
        r"error: failed to select a version for",
        r"^\S+\.(?:c|cc|cpp|h|hpp):\d+:\d+: (?:fatal )?error: ",
        r"^error\[E\d{4}\]: |^error: (?:linking with|aborting due to)",  # rustc
        r"\berror TS\d{4}:",  # tsc
        r"Module not found: Error: Can't resolve",
        r"Cannot find module '",
        r"ModuleNotFoundError: No module named",
        r"Failed building wheel for|subprocess-exited-with-error",
        r"^\S+\.go:\d+:\d+: (?:undefined|cannot use|imported and not used)",
        r"\[ERROR\] COMPILATION ERROR",
        r"ERROR: failed to solve:",  # docker build
        r"collect2: error: ld returned",
        r"\bundefined reference to `",
    ),
    *_signals(
        K.BUILD,
        r"^make(?:\[\d+\])?: \*\*\* .*Error \d+",
        r"npm ERR! code ELIFECYCLE",
        r"^error: could not compile",
        strong=False,
    ),
)
