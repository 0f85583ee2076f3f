"""The GitHub emulator's pull request endpoints: create, list, get, update, merge, reviews.

Merges are real: ``merge`` writes a two-parent commit, ``squash`` a one-parent commit of the
merged tree, ``rebase`` cherry-picks the head's commits onto the base; the base branch of the
bare repository then moves (compare-and-swap against the sha the merge started from).
"""

from __future__ import annotations

from typing import Any

from tests.emulators import github_shapes as shapes
from tests.emulators.github_git import MergeConflict
from tests.emulators.github_http import ApiError, Reply, invalid, not_found
from tests.emulators.github_routes import Ctx, required, route
from tests.emulators.github_shapes import Urls, node_id, user
from tests.emulators.github_state import GitHubState, Pull, Review, ReviewComment, now_iso

REVIEW_STATES = {
    "APPROVE": "APPROVED",
    "REQUEST_CHANGES": "CHANGES_REQUESTED",
    "COMMENT": "COMMENTED",
}
MERGE_METHODS = {"merge", "squash", "rebase"}


def pull_request_shape(urls: Urls, state: GitHubState, pull: Pull) -> dict[str, Any]:
    """A ``pull-request`` (the full object of get/create/merge)."""
    head_sha, base_sha = state.pull_shas(pull)
    base = f"{urls.repo}/pulls/{pull.number}"
    issue = f"{urls.repo}/issues/{pull.number}"
    html = f"{urls.repo_web}/pull/{pull.number}"
    commits = additions = deletions = changed = 0
    mergeable: bool | None = None
    if head_sha and base_sha:
        commits = len(state.git.commits_between(base_sha, head_sha))
        additions, deletions, paths = state.git.diff_stats(base_sha, head_sha)
        changed = len(paths)
    if head_sha and base_sha and pull.state == "open":
        mergeable = _mergeable(state, base_sha, head_sha)
    full_repo = shapes.repository(urls, state)
    comments = [c for c in state.review_comments.values() if c.number == pull.number]
    return {
        "url": base,
        "id": pull.id,
        "node_id": node_id("PullRequest", pull.id),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue,
        "commits_url": f"{base}/commits",
        "review_comments_url": f"{base}/comments",
        "review_comment_url": f"{urls.repo}/pulls/comments{{/number}}",
        "comments_url": f"{issue}/comments",
        "statuses_url": f"{urls.repo}/statuses/{head_sha}",
        "number": pull.number,
        "state": pull.state,
        "locked": False,
        "title": pull.title,
        "user": user(urls, state, pull.user),
        "body": pull.body,
        "labels": [],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": pull.created_at,
        "updated_at": pull.updated_at,
        "closed_at": pull.closed_at,
        "merged_at": pull.merged_at,
        "merge_commit_sha": pull.merge_commit_sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": {
            "label": f"{state.owner}:{pull.head_ref}",
            "ref": pull.head_ref,
            "sha": head_sha,
            "user": user(urls, state, state.owner),
            "repo": full_repo,
        },
        "base": {
            "label": f"{state.owner}:{pull.base_ref}",
            "ref": pull.base_ref,
            "sha": base_sha,
            "user": user(urls, state, state.owner),
            "repo": full_repo,
        },
        "_links": {
            "self": {"href": base},
            "html": {"href": html},
            "issue": {"href": issue},
            "comments": {"href": f"{issue}/comments"},
            "review_comments": {"href": f"{base}/comments"},
            "review_comment": {"href": f"{urls.repo}/pulls/comments{{/number}}"},
            "commits": {"href": f"{base}/commits"},
            "statuses": {"href": f"{urls.repo}/statuses/{head_sha}"},
        },
        "author_association": "OWNER" if pull.user == state.owner else "MEMBER",
        "auto_merge": None,
        "draft": pull.draft,
        "merged": pull.merged_at is not None,
        "mergeable": mergeable,
        "rebaseable": mergeable,
        "mergeable_state": _mergeable_state(pull, mergeable),
        "merged_by": user(urls, state, pull.merged_by) if pull.merged_by else None,
        "comments": 0,
        "review_comments": len(comments),
        "maintainer_can_modify": pull.maintainer_can_modify,
        "commits": commits,
        "additions": additions,
        "deletions": deletions,
        "changed_files": changed,
    }


def _mergeable(state: GitHubState, base_sha: str, head_sha: str) -> bool:
    try:
        state.git.merge_tree(base_sha, head_sha)
    except MergeConflict:
        return False
    return True


def _mergeable_state(pull: Pull, mergeable: bool | None) -> str:
    if pull.state != "open" or mergeable is None:
        return "unknown"
    if pull.draft:
        return "draft"
    return "clean" if mergeable else "dirty"


def review_shape(urls: Urls, state: GitHubState, r: Review) -> dict[str, Any]:
    """A ``pull-request-review``."""
    html = f"{urls.repo_web}/pull/{r.number}#pullrequestreview-{r.id}"
    pull_url = f"{urls.repo}/pulls/{r.number}"
    return {
        "id": r.id,
        "node_id": node_id("PullRequestReview", r.id),
        "user": user(urls, state, r.user),
        "body": r.body,
        "state": r.state,
        "html_url": html,
        "pull_request_url": pull_url,
        "_links": {"html": {"href": html}, "pull_request": {"href": pull_url}},
        "submitted_at": r.submitted_at,
        "commit_id": r.commit_id,
        "author_association": "OWNER" if r.user == state.owner else "MEMBER",
    }


def review_comment_shape(urls: Urls, state: GitHubState, c: ReviewComment) -> dict[str, Any]:
    """A ``pull-request-review-comment``."""
    url = f"{urls.repo}/pulls/comments/{c.id}"
    html = f"{urls.repo_web}/pull/{c.number}#discussion_r{c.id}"
    pull_url = f"{urls.repo}/pulls/{c.number}"
    return {
        "url": url,
        "pull_request_review_id": c.review_id,
        "id": c.id,
        "node_id": node_id("PullRequestReviewComment", c.id),
        "diff_hunk": "",
        "path": c.path,
        "commit_id": c.commit_id,
        "original_commit_id": c.commit_id,
        "user": user(urls, state, c.user),
        "body": c.body,
        "created_at": c.created_at,
        "updated_at": c.created_at,
        "html_url": html,
        "pull_request_url": pull_url,
        "author_association": "MEMBER",
        "_links": {
            "self": {"href": url},
            "html": {"href": html},
            "pull_request": {"href": pull_url},
        },
        "line": c.line,
        "original_line": c.line,
        "side": c.side,
        "subject_type": "line",
    }


def _pull(ctx: Ctx) -> Pull:
    pull = ctx.state.pulls.get(int(ctx.args["number"]))
    if pull is None:
        raise not_found()
    return pull


def _branch_of(ctx: Ctx, value: str, field: str) -> str:
    """``branch`` or ``owner:branch`` of this repository, else 422 like GitHub."""
    owner, _, branch = value.rpartition(":")
    if owner and owner.lower() != ctx.state.owner.lower():
        raise invalid("PullRequest", field)
    if not ctx.state.git.branch_sha(branch):
        raise invalid("PullRequest", field)
    return branch


def _custom(message: str) -> ApiError:
    return ApiError(
        422,
        "Validation Failed",
        errors=[{"resource": "PullRequest", "code": "custom", "message": message}],
    )


@route("POST", "/pulls")
def create_pull(ctx: Ctx) -> Reply:
    """``pulls/create``: 201 with ``Location``."""
    required(ctx, "PullRequest", "head", "base")
    if not ctx.field("title") and not ctx.field("issue"):
        raise invalid("PullRequest", "title", "missing_field")
    base = _branch_of(ctx, str(ctx.field("base")), "base")
    head = _branch_of(ctx, str(ctx.field("head")), "head")
    for pull in ctx.state.pulls.values():
        if pull.state == "open" and (pull.head_ref, pull.base_ref) == (head, base):
            raise _custom(f"A pull request already exists for {ctx.state.owner}:{head}.")
    git = ctx.state.git
    if not git.commits_between(git.branch_sha(base) or "", git.branch_sha(head) or ""):
        raise _custom(f"No commits between {base} and {head}")
    stamp = now_iso()
    pull = Pull(
        number=ctx.state.next_number,
        id=ctx.state.new_id(),
        title=str(ctx.field("title")),
        body=ctx.field("body"),
        head_ref=head,
        base_ref=base,
        user=ctx.user,
        draft=bool(ctx.field("draft", False)),
        created_at=stamp,
        updated_at=stamp,
        maintainer_can_modify=bool(ctx.field("maintainer_can_modify", True)),
    )
    ctx.state.next_number += 1
    ctx.state.pulls[pull.number] = pull
    body = pull_request_shape(ctx.urls, ctx.state, pull)
    return Reply(201, body, {"Location": body["url"]})


@route("GET", "/pulls")
def list_pulls(ctx: Ctx) -> Reply:
    """``pulls/list``: a bare array, newest first by default."""
    wanted = ctx.query.get("state", "open")
    if wanted not in ("open", "closed", "all"):
        raise invalid("PullRequest", "state")
    pulls = [p for p in ctx.state.pulls.values() if wanted in ("all", p.state)]
    if ctx.query.get("head"):
        owner, _, branch = ctx.query["head"].rpartition(":")
        pulls = [p for p in pulls if p.head_ref == branch and owner in ("", ctx.state.owner)]
    if ctx.query.get("base"):
        pulls = [p for p in pulls if p.base_ref == ctx.query["base"]]
    pulls.sort(key=lambda p: p.number, reverse=ctx.query.get("direction", "desc") == "desc")
    return ctx.page([pull_request_shape(ctx.urls, ctx.state, p) for p in pulls])


@route("GET", r"/pulls/(?P<number>\d+)")
def get_pull(ctx: Ctx) -> Reply:
    """``pulls/get``."""
    return Reply(200, pull_request_shape(ctx.urls, ctx.state, _pull(ctx)))


@route("PATCH", r"/pulls/(?P<number>\d+)")
def update_pull(ctx: Ctx) -> Reply:
    """``pulls/update``: title, body, state (open/closed), base."""
    pull = _pull(ctx)
    if ctx.field("title") is not None:
        pull.title = str(ctx.field("title"))
    if ctx.field("body") is not None:
        pull.body = str(ctx.field("body"))
    if ctx.field("base") is not None:
        pull.base_ref = _branch_of(ctx, str(ctx.field("base")), "base")
    wanted = ctx.field("state")
    if wanted == "closed" and pull.state == "open":
        pull.head_sha, pull.base_sha = ctx.state.pull_shas(pull)
        pull.state, pull.closed_at = "closed", now_iso()
    elif wanted == "open" and pull.state == "closed" and pull.merged_at is None:
        pull.state, pull.closed_at, pull.head_sha, pull.base_sha = "open", None, None, None
    pull.updated_at = now_iso()
    return Reply(200, pull_request_shape(ctx.urls, ctx.state, pull))


@route("PUT", r"/pulls/(?P<number>\d+)/merge")
def merge_pull(ctx: Ctx) -> Reply:
    """``pulls/merge``: 200, 405 (not mergeable), 409 (head moved) or 422 (bad method)."""
    pull = _pull(ctx)
    method = ctx.field("merge_method") or "merge"
    if method not in MERGE_METHODS:
        raise invalid("PullRequest", "merge_method")
    if pull.state != "open" or pull.draft:
        raise ApiError(405, "Pull Request is not mergeable")
    head_sha, base_sha = ctx.state.pull_shas(pull)
    if ctx.field("sha") and ctx.field("sha") != head_sha:
        raise ApiError(409, "Head branch was modified. Review and try the merge again.")
    if method == "squash":
        title = ctx.field("commit_title") or f"{pull.title} (#{pull.number})"
    else:
        title = ctx.field("commit_title") or (
            f"Merge pull request #{pull.number} from {ctx.state.owner}/{pull.head_ref}"
        )
    message = ctx.field("commit_message") or (pull.title if method == "merge" else "")
    try:
        merged = ctx.state.git.merge(base_sha, head_sha, method, title, message)
    except MergeConflict:
        raise ApiError(405, "Pull Request is not mergeable") from None
    try:
        ctx.state.git.update_ref(f"refs/heads/{pull.base_ref}", merged, base_sha)
    except RuntimeError:
        raise ApiError(409, "Base branch was modified. Review and try the merge again.") from None
    stamp = now_iso()
    pull.head_sha, pull.base_sha = head_sha, base_sha
    pull.state, pull.closed_at, pull.merged_at, pull.updated_at = "closed", stamp, stamp, stamp
    pull.merge_commit_sha, pull.merged_by = merged, ctx.user
    ctx.state.pushed_at = stamp
    return Reply(
        200, {"sha": merged, "merged": True, "message": "Pull Request successfully merged"}
    )


@route("GET", r"/pulls/(?P<number>\d+)/reviews")
def list_reviews(ctx: Ctx) -> Reply:
    """``pulls/list-reviews``: oldest first."""
    pull = _pull(ctx)
    items = [r for r in ctx.state.reviews.values() if r.number == pull.number]
    return ctx.page([review_shape(ctx.urls, ctx.state, r) for r in items])


@route("GET", r"/pulls/(?P<number>\d+)/comments")
def list_review_comments(ctx: Ctx) -> Reply:
    """``pulls/list-review-comments``."""
    pull = _pull(ctx)
    items = [c for c in ctx.state.review_comments.values() if c.number == pull.number]
    return ctx.page([review_comment_shape(ctx.urls, ctx.state, c) for c in items])


def _unprocessable(message: str) -> ApiError:
    return ApiError(422, "Unprocessable Entity", errors=[message])


@route("POST", r"/pulls/(?P<number>\d+)/reviews")
def create_review(ctx: Ctx) -> Reply:
    """``pulls/create-review``; line comments must sit inside the pull request's diff."""
    pull = _pull(ctx)
    event = ctx.field("event")
    if event is not None and event not in REVIEW_STATES:
        raise invalid("PullRequestReview", "event")
    if pull.user == ctx.user and event == "APPROVE":
        raise _unprocessable("Can not approve your own pull request")
    if pull.user == ctx.user and event == "REQUEST_CHANGES":
        raise _unprocessable("Can not request changes on your own pull request")
    body = ctx.field("body") or ""
    comments = ctx.field("comments") or []
    if event == "REQUEST_CHANGES" and not body:
        raise _unprocessable("Body is required for an event of REQUEST_CHANGES")
    if event == "COMMENT" and not body and not comments:
        raise _unprocessable("Body is required for an event of COMMENT")
    head_sha, base_sha = ctx.state.pull_shas(pull)
    commit_id = ctx.field("commit_id") or head_sha
    if not ctx.state.git.resolve(commit_id):
        raise _unprocessable("Commit could not be resolved")
    _, _, paths = ctx.state.git.diff_stats(base_sha, head_sha)
    for comment in comments:
        if comment.get("path") not in paths:
            raise _unprocessable("Path could not be resolved")
        if not comment.get("body"):
            raise _unprocessable("Body can't be blank")
        line = comment.get("line", comment.get("position"))
        if line not in ctx.state.git.diff_lines(base_sha, head_sha, comment["path"]):
            raise _unprocessable("Pull request review thread line must be part of the diff")
    stamp = now_iso()
    review = Review(
        id=ctx.state.new_id(),
        number=pull.number,
        user=ctx.user,
        body=body,
        state=REVIEW_STATES.get(event or "", "PENDING"),
        commit_id=commit_id,
        submitted_at=stamp if event else None,
    )
    ctx.state.reviews[review.id] = review
    for comment in comments:
        saved = ReviewComment(
            id=ctx.state.new_id(),
            review_id=review.id,
            number=pull.number,
            path=comment["path"],
            line=int(comment.get("line", comment.get("position"))),
            side=comment.get("side", "RIGHT"),
            body=comment["body"],
            commit_id=commit_id,
            user=ctx.user,
            created_at=stamp,
        )
        ctx.state.review_comments[saved.id] = saved
    return Reply(200, review_shape(ctx.urls, ctx.state, review))
