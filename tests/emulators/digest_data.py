"""Known data for the channel health digest, seeded into the GitHub and Linear emulators.

Times are relative to `now`; the digest's period is the 24 h before it.

GitHub Actions (the default seed runs are removed first):
- in the period, 10 runs: 7 succeeded, 3 failed (CI 2 of 8, Deploy 1 of 2, timed out); CI
  failed and passed on one commit of branch `flaky` (flaky); success rate 70%;
- in the previous 24 h, 4 runs: 3 succeeded, 1 failed (75%); one more run 60 h ago;
- the slowest jobs: Deploy's `deploy` 20 min, CI's `test` 15 min, CI's `test` 10 min.

Pull requests: 4 open (one draft), 2 waiting for review (#1, #3), 1 stale (#3, 10 days
without update), #2 approved, #5 closed.

Linear team ZAM: 3 in progress (one of them blocked by label), 2 blocked (one in Todo), 1 done
in the period, 1 done five days ago, 1 canceled, 1 in the backlog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.emulators.github import GitHubEmulator
from tests.emulators.github_state import Pull, Review
from tests.emulators.linear import LinearEmulator

PERIOD_HOURS = 24
# (workflow, branch key, hours ago, conclusion, {job: seconds})
RUNS = [
    ("CI", "main1", 20, "success", {"lint": 60, "test": 600}),
    ("CI", "main1", 18, "success", {"lint": 50, "test": 300}),
    ("CI", "main2", 16, "failure", {"lint": 40, "test": 120}),
    ("CI", "flaky", 12, "failure", {"lint": 40, "test": 90}),
    ("CI", "flaky", 11, "success", {"lint": 40, "test": 95}),
    ("Deploy", "main2", 10, "success", {"deploy": 1200}),
    ("Deploy", "main3", 9, "timed_out", {"deploy": 360}),
    ("CI", "main3", 6, "success", {"lint": 30, "test": 200}),
    ("CI", "main3", 4, "success", {"lint": 30, "test": 210}),
    ("CI", "main3", 2, "success", {"lint": 30, "test": 900}),
    # the previous period
    ("CI", "main0", 30, "success", {"lint": 30, "test": 100}),
    ("CI", "main0", 34, "success", {"lint": 30, "test": 100}),
    ("CI", "main0", 40, "failure", {"lint": 30, "test": 100}),
    ("CI", "main0", 46, "success", {"lint": 30, "test": 100}),
    # before both
    ("CI", "main0", 60, "success", {"lint": 30, "test": 100}),
]


@dataclass(frozen=True)
class SeededActions:
    """Ids of the seeded runs by their index in `RUNS`, and the flaky commit."""

    run_ids: list[int]
    flaky_sha: str


def github_time(moment: datetime) -> str:
    """GitHub's timestamp format."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def linear_time(moment: datetime) -> str:
    """Linear's timestamp format."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def seed_digest_actions(emu: GitHubEmulator, now: datetime) -> SeededActions:
    """The runs of `RUNS`, with their times and job durations."""
    shas = {
        key: emu.push_commit(branch, {f"{key}.txt": key}, message=f"Commit {key}")
        for key, branch in (
            ("main0", "main"),
            ("main1", "main"),
            ("main2", "main"),
            ("main3", "main"),
            ("flaky", "flaky"),
        )
    }
    ids = []
    with emu.locked() as state:
        state.runs.clear()
        state.jobs.clear()
        for name, key, hours, conclusion, jobs in sorted(RUNS, key=lambda r: -r[2]):
            workflow = next(w for w in state.workflows.values() if w.name == name)
            branch = "flaky" if key == "flaky" else "main"
            specs: list[dict[str, Any]] = [
                {"name": job, "conclusion": conclusion if job != "lint" else "success"}
                for job in jobs
            ]
            run = state.add_run(
                workflow, branch=branch, sha=shas[key], conclusion=conclusion, jobs=specs
            )
            created = now - timedelta(hours=hours)
            run.created_at = run.updated_at = github_time(created)
            for job in state.jobs_of(run.id):
                job.created_at = job.started_at = github_time(created)
                job.completed_at = github_time(created + timedelta(seconds=jobs[job.name]))
            ids.append((RUNS.index((name, key, hours, conclusion, jobs)), run.id))
    return SeededActions([i for _, i in sorted(ids)], shas["flaky"])


def seed_digest_pulls(emu: GitHubEmulator, now: datetime) -> None:
    """Pull requests #1 to #5 as the module docstring says."""
    specs = [
        # number, title, draft, created (days ago), updated (days ago), reviewed, state
        (1, "Add caching", False, 3, 1, False, "open"),
        (2, "Fix login", False, 4, 2, True, "open"),
        (3, "Bump dependencies", False, 20, 10, False, "open"),
        (4, "WIP: new dashboard", True, 1, 0.05, False, "open"),
        (5, "Old experiment", False, 30, 25, False, "closed"),
    ]
    for number, *_ in specs:
        emu.push_commit(f"pr-{number}", {f"pr{number}.txt": "x"}, message=f"PR {number}")
    with emu.locked() as state:
        for number, title, draft, created, updated, reviewed, pr_state in specs:
            pull = Pull(
                number=number,
                id=state.new_id(),
                title=title,
                body=None,
                head_ref=f"pr-{number}",
                base_ref="main",
                user="octocat",
                draft=draft,
                created_at=github_time(now - timedelta(days=created)),
                updated_at=github_time(now - timedelta(days=updated)),
                state=pr_state,
            )
            state.pulls[number] = pull
            if reviewed:
                review = Review(
                    id=state.new_id(),
                    number=number,
                    user="alice",
                    body="Looks good",
                    state="APPROVED",
                    commit_id=state.pull_shas(pull)[0],
                    submitted_at=pull.updated_at,
                )
                state.reviews[review.id] = review
        state.next_number = 6


def seed_digest_linear(emu: LinearEmulator, now: datetime) -> dict[str, str]:
    """Issues of team ZAM as the module docstring says; returns title -> identifier."""
    with emu._lock:  # the emulator's own lock: the store is not thread-safe
        store = emu.store
        team = store.team_by_key("ZAM")
        states = {s["name"]: s["id"] for s in store.states_of(team["id"])}
        blocked = store.add_label("Blocked", "ZAM")["id"]
        specs = [
            ("Ship the digest", "In Progress", []),
            ("Fix the flaky test", "In Review", []),
            ("Wait for the vendor", "In Progress", [blocked]),
            ("Needs design input", "Todo", [blocked]),
            ("Done today", "Done", []),
            ("Done last week", "Done", []),
            ("Dropped", "Canceled", []),
            ("Someday", "Backlog", []),
        ]
        found = {}
        for title, state_name, labels in specs:
            issue = store.create_issue(
                {"teamId": team["id"], "title": title, "stateId": states[state_name]}
            )
            if labels:
                store.update_issue(issue["id"], {"labelIds": labels})
            found[title] = issue["identifier"]
        old = store.issue(found["Done last week"])
        old["completedAt"] = old["updatedAt"] = linear_time(now - timedelta(days=5))
        today = store.issue(found["Done today"])
        today["completedAt"] = linear_time(now - timedelta(hours=2))
        return found
