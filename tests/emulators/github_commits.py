"""Emulated ``repos/compare-commits``: ``GET /repos/{o}/{r}/compare/{base}...{head}``.

As on GitHub: the commits are those of ``merge_base..head``, oldest first, paginated with
``page``/``per_page`` (``Link`` header); ``files`` are the changes from the merge base to the
head; ``status`` is ``ahead``, ``behind``, ``diverged`` or ``identical``; an unknown ref or
commits without a common ancestor give 404.
"""

from __future__ import annotations

from typing import Any

from tests.emulators import github_shapes as shapes
from tests.emulators.github_http import ApiError, Reply, not_found, paginate
from tests.emulators.github_routes import Ctx, route
from tests.emulators.github_state import GitHubState

FILE_STATUS = {"A": "added", "M": "modified", "D": "removed", "T": "changed"}


def _file(ctx: Ctx, head: str, change: tuple[str, str, int, int]) -> dict[str, Any]:
    """A ``diff-entry`` (without ``patch``)."""
    letter, path, additions, deletions = change
    status = FILE_STATUS.get(letter, "modified")
    blob = "0" * 40 if status == "removed" else ctx.state.git.git("rev-parse", f"{head}:{path}")
    return {
        "sha": blob,
        "filename": path,
        "status": status,
        "additions": additions,
        "deletions": deletions,
        "changes": additions + deletions,
        "blob_url": f"{ctx.urls.repo_web}/blob/{head}/{path}",
        "raw_url": f"{ctx.urls.repo_web}/raw/{head}/{path}",
        "contents_url": f"{ctx.urls.repo}/contents/{path}?ref={head}",
    }


def _status(ahead: int, behind: int) -> str:
    if ahead and behind:
        return "diverged"
    if ahead:
        return "ahead"
    return "behind" if behind else "identical"


def _resolve(state: GitHubState, ref: str) -> str:
    found = state.git.resolve(ref)
    if not found:
        raise not_found()
    return found


@route("GET", r"/compare/(?P<base>.+?)\.\.\.(?P<head>.+)")
def compare_commits(ctx: Ctx) -> Reply:
    """``repos/compare-commits``."""
    base_ref, head_ref = ctx.args["base"], ctx.args["head"]
    base, head = _resolve(ctx.state, base_ref), _resolve(ctx.state, head_ref)
    git = ctx.state.git
    merge_base = git.merge_base(base, head)
    if merge_base is None:
        raise ApiError(404, f"No common ancestor between {base_ref} and {head_ref}.")
    ahead = git.commits_between(merge_base, head)
    behind = git.commits_between(head, base)
    url = f"{ctx.urls.repo}/compare/{base_ref}...{head_ref}"
    commits, headers = paginate(
        [shapes.commit(ctx.urls, ctx.state, sha) for sha in ahead],
        ctx.query,
        f"{ctx.urls.api}{ctx.path}",
    )
    web = f"{ctx.urls.repo_web}/compare/{base_ref}...{head_ref}"
    owner = ctx.state.owner
    body = {
        "url": url,
        "html_url": web,
        "permalink_url": f"{ctx.urls.repo_web}/compare/{owner}:{base}...{owner}:{head}",
        "diff_url": f"{web}.diff",
        "patch_url": f"{web}.patch",
        "base_commit": shapes.commit(ctx.urls, ctx.state, base),
        "merge_base_commit": shapes.commit(ctx.urls, ctx.state, merge_base),
        "status": _status(len(ahead), len(behind)),
        "ahead_by": len(ahead),
        "behind_by": len(behind),
        "total_commits": len(ahead),
        "commits": commits,
        "files": [_file(ctx, head, change) for change in git.changed_files(merge_base, head)],
    }
    return Reply(200, body, headers)
