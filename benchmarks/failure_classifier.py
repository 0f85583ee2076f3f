"""How well `workflows.failure_logs` classifies the labelled CI logs in `failure_logs/`.

Prints, per class, how many logs the classifier got right (recall) and how many of the logs it
put in that class belonged there (precision); then the failing-test ids found; then every miss
with the evidence it quoted. A script that prints figures, not a test (the unit tests assert
each label).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from workflows.failure_logs import FailureKind, LogClassification, classify_log

CORPUS = Path(__file__).with_name("failure_logs")


@dataclass(frozen=True)
class Labelled:
    """One log of the corpus and what it should be classified as."""

    name: str
    text: str
    kind: FailureKind
    tests: dict[str, str | None]


def load_corpus(root: Path = CORPUS) -> list[Labelled]:
    """Every log named in `labels.yaml`, with its expected class and test ids."""
    labels = yaml.safe_load((root / "labels.yaml").read_text(encoding="utf-8"))
    return [
        Labelled(
            name,
            (root / name).read_text(encoding="utf-8"),
            FailureKind(entry["class"]),
            dict(entry.get("tests") or {}),
        )
        for name, entry in sorted(labels.items())
    ]


def tests_found(item: Labelled, got: LogClassification) -> tuple[int, int]:
    """(expected test ids found with their assertion, expected test ids)."""
    found = {t.id: t.assertion or "" for t in got.tests}
    hits = sum(
        1
        for test_id, assertion in item.tests.items()
        if test_id in found and (assertion is None or assertion in found[test_id])
    )
    return hits, len(item.tests)


def _row(label: str, right: int, total: int, predicted: int) -> str:
    recall = f"{100 * right / total:5.1f} %" if total else "    -  "
    precision = f"{100 * right / predicted:5.1f} %" if predicted else "    -  "
    return f"{label:<16} {right:>3} / {total:<3} {recall}   {precision}"


def report(items: list[Labelled]) -> int:
    """Print the figures; return the number of misclassified logs."""
    started = time.perf_counter()
    results = [(item, classify_log(item.text)) for item in items]
    elapsed = time.perf_counter() - started
    expected = Counter(item.kind for item, _ in results)
    predicted = Counter(got.kind for _, got in results)
    right = Counter(item.kind for item, got in results if got.kind is item.kind)
    print(f"{len(items)} labelled logs in {CORPUS}, classified in {elapsed * 1000:.1f} ms\n")
    print(f"{'class':<16} {'right':>9}  recall  precision")
    for kind in FailureKind:
        if expected[kind] or predicted[kind]:
            print(_row(kind.value, right[kind], expected[kind], predicted[kind]))
    total_right = sum(right.values())
    share = 100 * total_right / len(items)
    print(f"{'overall':<16} {total_right:>3} / {len(items):<3} {share:5.1f} %")
    test_hits = [tests_found(item, got) for item, got in results if item.tests]
    found, wanted = sum(h for h, _ in test_hits), sum(w for _, w in test_hits)
    print(f"\nfailing test ids with their assertion: {found} / {wanted}")
    misses = [(item, got) for item, got in results if got.kind is not item.kind]
    for item, got in misses:
        print(f"\nMISS {item.name}: expected {item.kind.value}, got {got.kind.value}")
        for line in got.evidence:
            print(f"  {line.line:>5}: {line.text}")
    return len(misses)


def main(argv: list[str] | None = None) -> int:
    """`python -m benchmarks.failure_classifier [--corpus DIR]`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="directory with labels.yaml")
    args = parser.parse_args(argv)
    report(load_corpus(args.corpus))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
