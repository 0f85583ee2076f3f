"""A GitHub REST API emulator: an aiohttp server on 127.0.0.1 in a background thread.

Usage::

    with GitHubEmulator(tokens=["ghp_test"], owner="acme", repo="widgets") as emu:
        gh = github.Github(base_url=emu.url, auth=github.Auth.Token("ghp_test"))
        gh.get_repo("acme/widgets").clone_url   # emu.clone_url, served by git http-backend

What is emulated, for one repository (``owner/repo``):

- the repository, commits, branches and git refs, backed by a REAL bare git repository in a
  temp dir (seeded with one commit on ``main``); clones and pushes go through ``git
  http-backend`` with GitHub's Basic auth (token as password); ref endpoints and pull request
  merges (merge, squash, rebase) change that repository's refs with git plumbing;
- ``compare/{base}...{head}`` (the commits after the merge base, ``files``, paginated);
- Actions: workflows, runs (filters), jobs (``filter=latest|all``), job logs (302 to a signed,
  unauthenticated, short-lived URL served here), ``rerun-failed-jobs`` (201, empty body; the
  failed jobs are queued again as a new attempt) and ``workflow_dispatch`` (204; a queued run
  appears; inputs are checked against the workflow's);
- pulls (create/list/get/update/merge), reviews with line comments (inside the diff; no
  approving your own pull request), commit statuses, check runs, deployments and their
  statuses (required contexts, auto-merge of the default branch, auto-inactive);
- GitHub's errors (401 ``Bad credentials``, 404 ``Not Found``, 422 ``Validation Failed`` with
  ``errors``), ``x-ratelimit-*`` headers on every answer, ``Link`` pagination (30 per page by
  default, 100 at most).

Not emulated: other repositories, webhooks, branch protection, GraphQL, check suites. Error
messages off the common paths are close to GitHub's, not always word for word.

Faults (thread-safe; API requests only, not git or log downloads): :meth:`fail_next`,
:meth:`rate_limit_next`, :meth:`slow_next`. Every request is recorded in :attr:`requests`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from aiohttp import web

# Imported for the routes they register.
from tests.emulators import (  # noqa: F401
    github_actions,
    github_commits,
    github_delivery,
    github_pulls,
)
from tests.emulators import github_shapes as shapes
from tests.emulators.background import BackgroundServer
from tests.emulators.github_git import http_backend
from tests.emulators.github_http import (
    ApiError,
    FaultPlan,
    RateCounter,
    RecordedRequest,
    Reply,
    not_found,
    parse_authorization,
)
from tests.emulators.github_routes import Ctx, find_route
from tests.emulators.github_state import GitHubState, Run, seed_actions

__all__ = ["DEFAULT_TOKEN", "GitHubEmulator"]

DEFAULT_TOKEN = "ghp_emulatortoken000000000000000000000000"
DEFAULT_LOGIN = "cicd-bot"
LOG_URL_SECONDS = 60
_GIT_PATH = re.compile(r"^/(?P<owner>[^/]+)/(?P<repo>[^/]+)\.git/(?P<tail>.+)$")
_LOG_PATH = re.compile(r"^/_blobs/job-logs/(?P<job>\d+)$")
_REPO_PATH = re.compile(r"^/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)(?P<rest>/.*)?$")


class GitHubEmulator(BackgroundServer):
    """Emulates the GitHub REST API subset the integration uses; see the module docstring."""

    thread_name = "github-emulator"
    max_body_bytes = 100 * 1024 * 1024

    def __init__(
        self,
        *,
        tokens: Iterable[str] | Mapping[str, str] = (DEFAULT_TOKEN,),
        owner: str = "acme",
        repo: str = "widgets",
        port: int = 0,
        check_runs_allowed: bool = True,
    ) -> None:
        if isinstance(tokens, Mapping):
            self._tokens = dict(tokens)
        else:
            self._tokens = dict.fromkeys(tokens, DEFAULT_LOGIN)
        self.owner, self.repo = owner, repo
        self.check_runs_allowed = check_runs_allowed
        super().__init__(port)
        self._lock = threading.RLock()
        self._faults = FaultPlan()
        self._rates = RateCounter()
        self._log_key = secrets.token_bytes(16)
        self._root = Path(tempfile.mkdtemp(prefix="github-emulator-"))
        self.state = self._new_state()
        self.requests: list[RecordedRequest] = []

    # -- lifecycle ----------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        app = self.new_app()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    def stop(self) -> None:
        """Stop the server, join its thread and delete the repository."""
        super().stop()
        shutil.rmtree(self._root, ignore_errors=True)

    @property
    def url(self) -> str:
        """The API base URL for ``Github(base_url=...)`` (``http://127.0.0.1:PORT``)."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def clone_url(self) -> str:
        """The repository's smart-HTTP clone URL (needs the token, as on GitHub)."""
        return self._urls().clone

    @property
    def bare_path(self) -> Path:
        """The bare repository on disk, for direct inspection with git."""
        return self.state.git.path

    @property
    def full_name(self) -> str:
        """``owner/repo``."""
        return f"{self.owner}/{self.repo}"

    # -- set-up and inspection ----------------------------------------------------------------

    def _new_state(self) -> GitHubState:
        root = Path(tempfile.mkdtemp(prefix="repo-", dir=self._root))
        state = GitHubState(root, self.owner, self.repo, self._tokens)
        seed_actions(state)
        return state

    def reset(self) -> None:
        """Fresh repository and state; forget requests and faults."""
        with self._lock:
            old = self.state
            self.state = self._new_state()
            old.git.remove()
            self.requests.clear()
            self._faults.clear()
            self._rates = RateCounter()
            self.check_runs_allowed = True

    def add_token(self, token: str, login: str = DEFAULT_LOGIN) -> None:
        """Accept another token, belonging to ``login``."""
        with self._lock:
            self._tokens[token] = login
            self.state.user_id(login)

    @contextlib.contextmanager
    def locked(self) -> Iterator[GitHubState]:
        """The state, with the server held off while the caller reads or changes it."""
        with self._lock:
            yield self.state

    def add_run(
        self,
        workflow: str = "CI",
        *,
        branch: str = "main",
        status: str = "completed",
        conclusion: str | None = "success",
        jobs: list[dict[str, Any]] | None = None,
        event: str = "push",
    ) -> int:
        """Add a run of a workflow (name, id or file) on ``branch``'s head; returns its id.

        ``jobs``: ``[{"name", "conclusion", "log", "status", "failed_step"}]`` (default: the
        workflow's jobs, finishing like the run).
        """
        with self._lock:
            named = [w for w in self.state.workflows.values() if w.name == workflow]
            wf = named[0] if named else self.state.find_workflow(workflow)
            sha = self.state.git.branch_sha(branch)
            if wf is None or sha is None:
                raise ValueError(f"unknown workflow {workflow!r} or branch {branch!r}")
            kwargs = {"event": event, "status": status, "conclusion": conclusion}
            return self.state.add_run(wf, branch=branch, sha=sha, jobs=jobs, **kwargs).id

    def push_commit(
        self,
        branch: str,
        files: Mapping[str, str],
        *,
        message: str = "Change files",
        base: str | None = None,
        author: tuple[str, str] | None = None,
    ) -> str:
        """Commit ``files`` on ``branch`` (created from ``base``/the default branch if new).

        ``author``: (name, email); ``login@users.noreply.github.com`` links the commit to
        that user, as on GitHub.
        """
        with self._lock:
            git = self.state.git
            parent = git.branch_sha(branch) or git.resolve(base or git.default_branch)
            assert parent is not None, f"unknown base {base!r}"
            sha = git.commit_files(files, message=message, parents=(parent,), author=author)
            git.update_ref(f"refs/heads/{branch}", sha, git.branch_sha(branch))
            return sha

    def complete_run(self, run_id: int, conclusion: str = "success") -> None:
        """Finish a run and its unfinished jobs with ``conclusion``."""
        with self._lock:
            run: Run = self.state.runs[run_id]
            run.status, run.conclusion = "completed", conclusion
            for job in self.state.jobs_of(run_id):
                if job.status != "completed":
                    job.status, job.conclusion = "completed", conclusion
                    job.completed_at = run.updated_at

    def runs(self) -> list[dict[str, Any]]:
        """Every run as the API shows it, newest first."""
        with self._lock:
            runs = sorted(self.state.runs.values(), key=lambda r: r.id, reverse=True)
            return [github_actions.workflow_run_shape(self._urls(), self.state, r) for r in runs]

    def branches(self) -> dict[str, str]:
        """Branch name -> sha, read from the bare repository."""
        with self._lock:
            return self.state.git.branches()

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        """Recorded requests with this method whose path is ``path`` or matches it (regex)."""
        with self._lock:
            return [
                r
                for r in self.requests
                if r.method == method and (r.path == path or re.fullmatch(path, r.path))
            ]

    # -- fault injection ----------------------------------------------------------------------

    def fail_next(self, n: int = 1, status: int = 502) -> None:
        """Answer the next ``n`` API requests with ``status`` (a 5xx burst)."""
        self._faults.fail(n, status)

    def rate_limit_next(
        self,
        n: int = 1,
        *,
        retry_after: float | None = None,
        reset_in: float | None = None,
        status: int = 403,
    ) -> None:
        """Rate limit the next ``n`` API requests.

        ``reset_in`` gives the primary limit (``x-ratelimit-remaining: 0`` and a reset that
        many seconds ahead); otherwise a secondary limit with ``retry-after`` (default 1 s).
        """
        if retry_after is None and reset_in is None:
            retry_after = 1
        self._faults.rate_limit(n, status, retry_after, reset_in)

    def slow_next(self, n: int = 1, seconds: float = 1.0) -> None:
        """Delay the next ``n`` API answers by ``seconds``."""
        self._faults.slow(n, seconds)

    # -- HTTP handling ------------------------------------------------------------------------

    def _urls(self) -> shapes.Urls:
        return shapes.Urls(api=self.url, web=self.url, owner=self.owner, name=self.repo)

    def _sign_log(self, job_id: int) -> str:
        expires = int(time.time()) + LOG_URL_SECONDS
        sig = hmac.new(self._log_key, f"{job_id}:{expires}".encode(), hashlib.sha256).hexdigest()
        return f"{self.url}/_blobs/job-logs/{job_id}?expires={expires}&sig={sig}"

    def _auth(self, request: web.Request) -> tuple[str | None, str | None, bool]:
        """(scheme, user, present): who the Authorization header says is calling."""
        header = request.headers.get("Authorization", "")
        scheme, token = parse_authorization(header)
        return scheme, self._tokens.get(token or ""), bool(header)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        started, wall = time.monotonic(), time.time()
        scheme, user, _ = self._auth(request)
        kind, body = "api", None
        if _LOG_PATH.match(request.path):
            kind, response = "blob", self._serve_log(request)
        elif _GIT_PATH.match(request.path):
            kind, response = "git", await self._serve_git(request, user)
        else:
            raw = await request.read() if request.can_read_body else b""
            response = await self._serve_api(request, raw)
            with contextlib.suppress(ValueError):
                body = json.loads(raw) if raw else None
        with self._lock:
            self.requests.append(
                RecordedRequest(
                    method=request.method,
                    path=request.path,
                    query=dict(request.query),
                    status=response.status,
                    at=started,
                    wall=wall,
                    user=user,
                    auth=scheme,
                    body=body,
                    kind=kind,
                )
            )
        return response

    def _serve_log(self, request: web.Request) -> web.Response:
        job_id = int(_LOG_PATH.match(request.path)["job"])  # type: ignore[index]
        expires = request.query.get("expires", "0")
        good = hmac.new(self._log_key, f"{job_id}:{expires}".encode(), hashlib.sha256).hexdigest()
        given = request.query.get("sig", "").encode()
        fresh = expires.isdigit() and int(expires) >= time.time()
        if not hmac.compare_digest(good.encode(), given) or not fresh:
            return web.Response(status=403, text="AuthenticationFailed: signature not valid")
        with self._lock:
            job = self.state.jobs.get(job_id)
            text = job.log if job else None
        if text is None:
            return web.Response(status=404, text="BlobNotFound")
        return web.Response(text=text, content_type="text/plain")

    async def _serve_git(self, request: web.Request, user: str | None) -> web.Response:
        match = _GIT_PATH.match(request.path)
        assert match is not None
        if (match["owner"].lower(), match["repo"].lower()) != (
            self.owner.lower(),
            self.repo.lower(),
        ):
            return web.Response(status=404, text="Repository not found.")
        if user is None:
            return web.Response(
                status=401,
                text="Invalid username or token.",
                headers={"WWW-Authenticate": 'Basic realm="GitHub"'},
            )
        response = await http_backend(request, self.state.git, match["tail"], user)
        if match["tail"] == "git-receive-pack" and response.status == 200:
            with self._lock:
                self.state.pushed_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return response

    async def _serve_api(self, request: web.Request, raw: bytes) -> web.Response:
        delay = self._faults.take_delay()
        if delay > 0:
            await asyncio.sleep(delay)
        _, user, present = self._auth(request)
        try:
            reply = self._answer(request, raw, user, present)
        except ApiError as exc:
            reply = Reply(exc.status, exc.body(), exc.headers)
        headers = {
            **self._rates.headers(user),
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Request-Id": secrets.token_hex(8).upper(),
            **reply.headers,
        }
        if reply.body is None:
            return web.Response(status=reply.status, headers=headers)
        text = json.dumps(reply.body)
        return web.Response(
            status=reply.status, text=text, content_type="application/json", headers=headers
        )

    def _answer(self, request: web.Request, raw: bytes, user: str | None, present: bool) -> Reply:
        fault = self._faults.take()
        if fault is not None:
            raise fault
        if present and user is None:
            raise ApiError(401, "Bad credentials")
        if request.path == "/rate_limit":
            return Reply(200, self._rates.overview(user))
        if user is None:
            raise ApiError(401, "Requires authentication")
        self._rates.count(user)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            raise ApiError(400, "Problems parsing JSON") from None
        with self._lock:
            if request.path == "/user":
                return Reply(200, shapes.user(self._urls(), self.state, user))
            match = _REPO_PATH.match(request.path)
            if not match or (match["owner"].lower(), match["repo"].lower()) != (
                self.owner.lower(),
                self.repo.lower(),
            ):
                raise not_found()
            found = find_route(request.method, match["rest"] or "")
            if found is None:
                raise not_found()
            handler, args = found
            ctx = Ctx(
                state=self.state,
                urls=self._urls(),
                user=user,
                method=request.method,
                path=request.path,
                query=dict(request.query),
                body=body,
                args=args,
                sign_log=self._sign_log,
                check_runs_allowed=self.check_runs_allowed,
            )
            return handler(ctx)
