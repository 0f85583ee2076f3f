"""The GitHub emulator's REST routing, and the repository, commit, branch and ref endpoints.

Each handler takes a :class:`Ctx` and returns a :class:`Reply` or raises ``ApiError``; the
emulator holds its lock around every call, so handlers may read and change the state freely.
Other areas register their routes from github_actions, github_pulls and github_delivery.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.emulators import github_shapes as shapes
from tests.emulators.github_http import ApiError, Reply, invalid, not_found, paginate
from tests.emulators.github_shapes import Urls
from tests.emulators.github_state import GitHubState, now_iso


@dataclass
class Ctx:
    """One API request as a handler sees it."""

    state: GitHubState
    urls: Urls
    user: str
    method: str
    path: str
    query: dict[str, str]
    body: Any
    args: dict[str, str]
    sign_log: Callable[[int], str]
    check_runs_allowed: bool = True

    def field(self, name: str, default: Any = None) -> Any:
        """A field of the JSON body."""
        return self.body.get(name, default) if isinstance(self.body, dict) else default

    def page(self, items: list[Any], wrap: str | None = None) -> Reply:
        """A paginated list answer (wrapped as ``{total_count, wrap: [...]}`` when asked)."""
        chunk, headers = paginate(items, self.query, f"{self.urls.api}{self.path}")
        body = {"total_count": len(items), wrap: chunk} if wrap else chunk
        return Reply(200, body, headers)


Handler = Callable[[Ctx], Reply]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Register a handler for ``method`` and a path below ``/repos/{owner}/{repo}``."""

    def register(handler: Handler) -> Handler:
        ROUTES.append((method, re.compile(f"^{pattern}$"), handler))
        return handler

    return register


def find_route(method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
    """The handler and path arguments for a repository-relative path."""
    for verb, pattern, handler in ROUTES:
        match = pattern.match(path)
        if match and verb == method:
            return handler, match.groupdict()
    return None


def required(ctx: Ctx, resource: str, *names: str) -> None:
    """422 ``missing_field`` unless every field is in the body."""
    for name in names:
        if ctx.field(name) in (None, ""):
            raise invalid(resource, name, "missing_field")


def resolve_sha(ctx: Ctx, sha: str, *, refs: bool = False) -> str:
    """The commit a sha (or, with ``refs``, a branch or tag) names, else GitHub's 422."""
    usable = refs or re.fullmatch(r"[0-9a-f]{7,40}", sha or "")
    found = ctx.state.git.resolve(sha) if usable else None
    if not found:
        raise ApiError(422, f"No commit found for SHA: {sha}")
    return found


# -- repository, commits, branches, refs -------------------------------------------------------


@route("GET", "")
def get_repository(ctx: Ctx) -> Reply:
    """``repos/get``."""
    return Reply(200, shapes.repository(ctx.urls, ctx.state))


@route("GET", r"/commits/(?P<ref>[^/]+)")
def get_commit(ctx: Ctx) -> Reply:
    """``repos/get-commit`` (without ``files`` and ``stats``)."""
    sha = resolve_sha(ctx, ctx.args["ref"], refs=True)
    return Reply(200, shapes.commit(ctx.urls, ctx.state, sha))


@route("GET", "/branches")
def list_branches(ctx: Ctx) -> Reply:
    """``repos/list-branches``."""
    items = [
        {"name": name, "commit": {"sha": sha, "url": f"{ctx.urls.repo}/commits/{sha}"}}
        | {"protected": False}
        for name, sha in sorted(ctx.state.git.branches().items())
    ]
    return ctx.page(items)


@route("GET", r"/branches/(?P<branch>.+)")
def get_branch(ctx: Ctx) -> Reply:
    """``repos/get-branch``."""
    sha = ctx.state.git.branch_sha(ctx.args["branch"])
    if not sha:
        raise ApiError(404, "Branch not found")
    return Reply(200, shapes.branch(ctx.urls, ctx.state, ctx.args["branch"], sha))


@route("GET", r"/git/ref/(?P<ref>.+)")
def get_ref(ctx: Ctx) -> Reply:
    """``git/get-ref``: exact match only."""
    ref = f"refs/{ctx.args['ref']}"
    sha = ctx.state.git.refs().get(ref)
    if not sha:
        raise not_found()
    return Reply(200, shapes.git_ref(ctx.urls, ref, sha))


@route("GET", r"/git/refs(?:/(?P<ref>.+))?")
def match_refs(ctx: Ctx) -> Reply:
    """``git/list-matching-refs``: the exact ref as an object, else every ref it prefixes."""
    refs = ctx.state.git.refs()
    wanted = f"refs/{ctx.args['ref']}" if ctx.args.get("ref") else "refs/"
    if wanted in refs:
        return Reply(200, shapes.git_ref(ctx.urls, wanted, refs[wanted]))
    matches = [
        shapes.git_ref(ctx.urls, r, s) for r, s in sorted(refs.items()) if r.startswith(wanted)
    ]
    if not matches:
        raise not_found()
    return ctx.page(matches)


@route("POST", "/git/refs")
def create_ref(ctx: Ctx) -> Reply:
    """``git/create-ref``."""
    required(ctx, "Reference", "ref", "sha")
    ref, sha = str(ctx.field("ref")), str(ctx.field("sha"))
    if not ref.startswith("refs/") or ref.count("/") < 2 or not ctx.state.git.valid_ref_name(ref):
        raise ApiError(422, "Reference name is invalid")
    if not re.fullmatch(r"[0-9a-f]{40}", sha) or not ctx.state.git.resolve(sha):
        raise ApiError(422, "Object does not exist")
    if ref in ctx.state.git.refs():
        raise ApiError(422, "Reference already exists")
    ctx.state.git.update_ref(ref, sha)
    body = shapes.git_ref(ctx.urls, ref, sha)
    return Reply(201, body, {"Location": body["url"]})


@route("PATCH", r"/git/refs/(?P<ref>.+)")
def update_ref(ctx: Ctx) -> Reply:
    """``git/update-ref``: fast-forward unless ``force``."""
    ref = f"refs/{ctx.args['ref']}"
    old = ctx.state.git.refs().get(ref)
    if not old:
        raise ApiError(422, "Reference does not exist")
    sha = str(ctx.field("sha", ""))
    if not re.fullmatch(r"[0-9a-f]{40}", sha) or not ctx.state.git.resolve(sha):
        raise ApiError(422, "Object does not exist")
    if not ctx.field("force", False) and not ctx.state.git.is_ancestor(old, sha):
        raise ApiError(422, "Update is not a fast forward")
    ctx.state.git.update_ref(ref, sha, old)
    return Reply(200, shapes.git_ref(ctx.urls, ref, sha))


@route("DELETE", r"/git/refs/(?P<ref>.+)")
def delete_ref(ctx: Ctx) -> Reply:
    """``git/delete-ref``; open pulls from a deleted branch are closed, as on GitHub."""
    ref = f"refs/{ctx.args['ref']}"
    if ref not in ctx.state.git.refs():
        raise ApiError(422, "Reference does not exist")
    if ref == f"refs/heads/{ctx.state.git.default_branch}":
        raise ApiError(422, "Cannot delete the default branch")
    branch = ref.removeprefix("refs/heads/")
    for pull in ctx.state.pulls.values():
        if pull.state == "open" and branch in (pull.head_ref, pull.base_ref):
            pull.head_sha, pull.base_sha = ctx.state.pull_shas(pull)
            pull.state, pull.closed_at = "closed", now_iso()
    ctx.state.git.delete_ref(ref)
    return Reply(204)
