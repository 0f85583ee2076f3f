"""JSON shapes of the GitHub REST API shared by every area: users, repository, commits, refs.

They follow ``../shared/api/github/rest-subset.openapi.json`` (every required key, GitHub's
``*_url`` hypermedia) so PyGithub and anything else reading GitHub's answers see the real thing.
Each area module (github_actions, github_pulls, github_delivery) holds its own shapes.
"""

from __future__ import annotations

import base64
import zlib
from dataclasses import dataclass
from typing import Any

from tests.emulators.github_state import REPO_ID, GitHubState

_REPO_URLS = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def node_id(kind: str, number: int) -> str:
    """A GraphQL node id in GitHub's legacy format."""
    return base64.b64encode(f"0{len(kind):02d}:{kind}{number}".encode()).decode()


@dataclass(frozen=True)
class Urls:
    """Where things live: the API root, the web root and the repository's API URL."""

    api: str
    web: str
    owner: str
    name: str

    @property
    def repo(self) -> str:
        """``{api}/repos/{owner}/{name}``."""
        return f"{self.api}/repos/{self.owner}/{self.name}"

    @property
    def repo_web(self) -> str:
        """The repository's page."""
        return f"{self.web}/{self.owner}/{self.name}"

    @property
    def clone(self) -> str:
        """The smart-HTTP clone URL."""
        return f"{self.web}/{self.owner}/{self.name}.git"


def user(urls: Urls, state: GitHubState, login: str) -> dict[str, Any]:
    """A ``simple-user``."""
    uid = state.user_id(login)
    base = f"{urls.api}/users/{login}"
    return {
        "login": login,
        "id": uid,
        "node_id": node_id("User", uid),
        "avatar_url": f"{urls.web}/avatars/{login}",
        "gravatar_id": "",
        "url": base,
        "html_url": f"{urls.web}/{login}",
        "followers_url": f"{base}/followers",
        "following_url": f"{base}/following{{/other_user}}",
        "gists_url": f"{base}/gists{{/gist_id}}",
        "starred_url": f"{base}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{base}/subscriptions",
        "organizations_url": f"{base}/orgs",
        "repos_url": f"{base}/repos",
        "events_url": f"{base}/events{{/privacy}}",
        "received_events_url": f"{base}/received_events",
        "type": "Organization" if login == state.owner else "User",
        "site_admin": False,
    }


def repository(urls: Urls, state: GitHubState, *, full: bool = True) -> dict[str, Any]:
    """A ``full-repository`` (or ``minimal-repository`` when not ``full``)."""
    data: dict[str, Any] = {
        "id": REPO_ID,
        "node_id": node_id("Repository", REPO_ID),
        "name": state.name,
        "full_name": state.full_name,
        "owner": user(urls, state, state.owner),
        "private": True,
        "html_url": urls.repo_web,
        "description": "Emulated repository",
        "fork": False,
        "url": urls.repo,
        **{key: urls.repo + suffix for key, suffix in _REPO_URLS.items()},
    }
    if not full:
        return data
    host = urls.web.split("://", 1)[1]
    return data | {
        "clone_url": urls.clone,
        "git_url": f"git://{host}/{state.full_name}.git",
        "ssh_url": f"git@{host.split(':')[0]}:{state.full_name}.git",
        "svn_url": urls.repo_web,
        "mirror_url": None,
        "homepage": None,
        "language": "Python",
        "forks": 0,
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "watchers": 0,
        "size": 108,
        "default_branch": state.git.default_branch,
        "open_issues": sum(1 for p in state.pulls.values() if p.state == "open"),
        "open_issues_count": sum(1 for p in state.pulls.values() if p.state == "open"),
        "is_template": False,
        "topics": [],
        "has_issues": True,
        "has_projects": True,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "visibility": "private",
        "license": None,
        "pushed_at": state.pushed_at,
        "created_at": state.created_at,
        "updated_at": state.pushed_at,
        "permissions": {
            "admin": True,
            "maintain": True,
            "push": True,
            "triage": True,
            "pull": True,
        },
        "allow_rebase_merge": True,
        "allow_squash_merge": True,
        "allow_merge_commit": True,
        "allow_auto_merge": False,
        "delete_branch_on_merge": False,
        "network_count": 0,
        "subscribers_count": 1,
    }


def simple_commit(state: GitHubState, sha: str) -> dict[str, Any]:
    """A ``simple-commit`` (the ``head_commit`` of a run)."""
    commit = state.git.commit(sha)
    return {
        "id": commit.sha,
        "tree_id": commit.tree,
        "message": commit.message,
        "timestamp": commit.committer_date,
        "author": {"name": commit.author_name, "email": commit.author_email},
        "committer": {"name": commit.committer_name, "email": commit.committer_email},
    }


def commit(urls: Urls, state: GitHubState, sha: str) -> dict[str, Any]:
    """A ``commit`` (``GET /repos/{o}/{r}/commits/{ref}``), without files."""
    c = state.git.commit(sha)
    return {
        "url": f"{urls.repo}/commits/{c.sha}",
        "sha": c.sha,
        "node_id": node_id("Commit", int(c.sha[:7], 16)),
        "html_url": f"{urls.repo_web}/commit/{c.sha}",
        "comments_url": f"{urls.repo}/commits/{c.sha}/comments",
        "commit": {
            "url": f"{urls.repo}/git/commits/{c.sha}",
            "author": {"name": c.author_name, "email": c.author_email, "date": c.author_date},
            "committer": {
                "name": c.committer_name,
                "email": c.committer_email,
                "date": c.committer_date,
            },
            "message": c.message,
            "tree": {"sha": c.tree, "url": f"{urls.repo}/git/trees/{c.tree}"},
            "comment_count": 0,
        },
        "author": _linked_user(urls, state, c.author_email),
        "committer": None,
        "parents": [
            {"sha": p, "url": f"{urls.repo}/commits/{p}", "html_url": f"{urls.repo_web}/commit/{p}"}
            for p in c.parents
        ],
    }


def _linked_user(urls: Urls, state: GitHubState, email: str) -> dict[str, Any] | None:
    """The account a commit's e-mail belongs to (only ``login@users.noreply.github.com``)."""
    login, _, domain = email.partition("@")
    if domain != "users.noreply.github.com" or login not in state.users:
        return None
    return user(urls, state, login)


def git_ref(urls: Urls, ref: str, sha: str) -> dict[str, Any]:
    """A ``git-ref``."""
    return {
        "ref": ref,
        "node_id": node_id("Ref", zlib.crc32(ref.encode())),
        "url": f"{urls.repo}/git/{ref}",
        "object": {"type": "commit", "sha": sha, "url": f"{urls.repo}/git/commits/{sha}"},
    }


def branch(urls: Urls, state: GitHubState, name: str, sha: str) -> dict[str, Any]:
    """A ``branch-with-protection``."""
    return {
        "name": name,
        "commit": commit(urls, state, sha),
        "_links": {
            "self": f"{urls.repo}/branches/{name}",
            "html": f"{urls.repo_web}/tree/{name}",
        },
        "protected": False,
        "protection": {
            "enabled": False,
            "required_status_checks": {"enforcement_level": "off", "contexts": [], "checks": []},
        },
        "protection_url": f"{urls.repo}/branches/{name}/protection",
    }
