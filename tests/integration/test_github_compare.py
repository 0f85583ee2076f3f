"""Comparing commits with real PyGithub against the GitHub emulator's compare endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulators.github import DEFAULT_TOKEN, GitHubEmulator
from workflows.integrations.github_client import GitHubClient
from workflows.integrations.retrying import IntegrationError, RetryPolicy

FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02, jitter=0)
ALICE = ("Alice Liddell", "alice@users.noreply.github.com")


@pytest.fixture(scope="module")
def server() -> Iterator[GitHubEmulator]:
    with GitHubEmulator(tokens={DEFAULT_TOKEN: "cicd-bot", "ghp_alice": "alice"}) as emu:
        yield emu


@pytest.fixture
def emu(server: GitHubEmulator) -> GitHubEmulator:
    server.reset()
    return server


@pytest.fixture
def gh(emu: GitHubEmulator) -> Iterator[GitHubClient]:
    with GitHubClient(
        token=DEFAULT_TOKEN, repository="acme/widgets", api_url=emu.url, policy=FAST
    ) as client:
        yield client


def test_compare_lists_the_commits_since_the_base_oldest_first(
    emu: GitHubEmulator, gh: GitHubClient
) -> None:
    base = emu.branches()["main"]
    first = emu.push_commit("main", {"a.txt": "1\n"}, message="Add a\n\nwhy", author=ALICE)
    second = emu.push_commit("main", {"README.md": "changed\n"}, message="Edit readme")

    found = gh.compare_commits(base, second)

    assert (found.status, found.ahead_by, found.behind_by, found.total_commits) == (
        "ahead",
        2,
        0,
        2,
    )
    assert [c.sha for c in found.commits] == [first, second]
    assert found.commits[0].title == "Add a"
    assert (found.commits[0].author_name, found.commits[0].author_login) == (ALICE[0], "alice")
    assert found.commits[1].author_login is None  # web-flow identity, no account
    assert sorted(found.files) == ["README.md", "a.txt"]
    assert gh.compare_commits(second, base).status == "behind"
    assert gh.compare_commits(second, second).status == "identical"


def test_compare_of_diverged_branches_and_of_unknown_commits(
    emu: GitHubEmulator, gh: GitHubClient
) -> None:
    base = emu.branches()["main"]
    feature = emu.push_commit("feature", {"f.txt": "f\n"}, message="Feature", base=base)
    main = emu.push_commit("main", {"m.txt": "m\n"}, message="Main")
    found = gh.compare_commits(main, feature)
    assert (found.status, found.ahead_by, found.behind_by) == ("diverged", 1, 1)
    assert [c.sha for c in found.commits] == [feature]
    with pytest.raises(IntegrationError, match="not found"):
        gh.compare_commits(base, "0" * 40)


def test_compare_follows_pagination_past_one_page(emu: GitHubEmulator, gh: GitHubClient) -> None:
    base = emu.branches()["main"]
    shas = [emu.push_commit("main", {"n.txt": f"{n}\n"}, message=f"n{n}") for n in range(103)]
    found = gh.compare_commits(base, shas[-1])
    assert found.total_commits == 103
    assert [c.sha for c in found.commits] == shas
    assert len(gh.compare_commits(base, shas[-1], limit=5).commits) == 5
