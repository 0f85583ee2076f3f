"""Executing GraphQL against the real Linear schema with in-memory resolvers.

``execute_graphql`` parses, validates and runs one request with graphql-core. Resolvers are
looked up by ``(type name, field name)``; a root field without one answers the error Linear
gives for a field it does not know, so a client using more than we emulate finds out at once.
Filters and connections are in :mod:`tests.emulators.linear_filters`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    build_schema,
    execute,
    parse,
    validate,
)

from tests.emulators.linear_filters import by_time, connection
from tests.emulators.linear_store import ORG, PRIORITY_LABELS, Store, api_error
from tests.shared_paths import LINEAR_SCHEMA

DEFAULT_SCHEMA = LINEAR_SCHEMA  # ../shared beside the checkout, or under CICD_SHARED_DIR


@lru_cache(maxsize=4)
def _schema_at(path: str) -> GraphQLSchema:
    return build_schema(Path(path).read_text(encoding="utf-8"))


def load_schema(path: str | Path | None = None) -> GraphQLSchema:
    """The schema at ``path`` (default ``../shared/api/linear/schema.graphql``), built once."""
    resolved = Path(path or DEFAULT_SCHEMA).resolve()
    if not resolved.is_file():
        raise FileNotFoundError(f"Linear schema not found at {resolved}")
    return _schema_at(str(resolved))


@dataclass
class Context:
    """What resolvers see as ``info.context``."""

    store: Store


Resolver = Callable[..., Any]
RESOLVERS: dict[tuple[str, str], Resolver] = {}


def resolves(type_name: str, *fields: str) -> Callable[[Resolver], Resolver]:
    """Register a resolver ``fn(store, source, **args)`` for these fields."""

    def register(fn: Resolver) -> Resolver:
        for name in fields:
            RESOLVERS[(type_name, name)] = fn
        return fn

    return register


def field_resolver(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    """Dispatch to a registered resolver; plain fields are read off the entity dict."""
    fn = RESOLVERS.get((info.parent_type.name, info.field_name))
    if fn is not None:
        return fn(info.context.store, source, **args)
    if info.parent_type.name in ("Query", "Mutation"):
        raise api_error(
            f"{info.parent_type.name}.{info.field_name} is not supported by the Linear emulator",
            "graphql error",
            f"The Linear emulator does not implement {info.field_name}.",
        )
    return source.get(info.field_name) if isinstance(source, dict) else None


def execute_graphql(
    schema: GraphQLSchema,
    store: Store,
    query: Any,
    variables: Any = None,
    operation_name: Any = None,
) -> tuple[int, dict[str, Any]]:
    """HTTP status and JSON body for one request, as Linear would answer it."""
    if not isinstance(query, str) or not query.strip():
        return 400, _errors([_request_error("Must provide query string.")])
    if variables is not None and not isinstance(variables, dict):
        return 400, _errors([_request_error("Variables must be an object.")])
    try:
        document = parse(query)
    except GraphQLError as exc:
        return 400, _errors([_request_error(exc.message)])
    problems = validate(schema, document)
    if problems:
        return 400, _errors([_request_error(p.message) for p in problems])
    result = execute(
        schema,
        document,
        context_value=Context(store),
        variable_values=variables,
        operation_name=operation_name if isinstance(operation_name, str) else None,
        field_resolver=field_resolver,
    )
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [_formatted(error) for error in result.errors]
    return 200, body


def _request_error(message: str) -> dict[str, Any]:
    return {
        "message": message,
        "extensions": {
            "type": "graphql error",
            "code": "GRAPHQL_VALIDATION_FAILED",
            "userError": True,
            "userPresentableMessage": message,
        },
    }


def _errors(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"data": None, "errors": errors}


def _formatted(error: GraphQLError) -> dict[str, Any]:
    formatted = dict(error.formatted)
    if not formatted.get("extensions"):
        # Not raised by a resolver on purpose: a value that does not coerce, or an emulator bug
        # (typed "other" so that clients do not retry it).
        original = error.original_error
        if original is None:
            formatted["extensions"] = {
                "type": "invalid input",
                "userPresentableMessage": error.message,
            }
        else:
            shown = f"emulator error: {original!r}"
            formatted["extensions"] = {"type": "other", "userPresentableMessage": shown}
    return formatted


# -- queries --------------------------------------------------------------------------------------


@resolves("Query", "issue")
def _issue(store: Store, _: Any, id: str) -> dict[str, Any]:
    return store.issue(id)


@resolves("Query", "issues")
def _issues(store: Store, _: Any, **args: Any) -> dict[str, Any]:
    return connection(store, "Issue", by_time(store.issues), args)


@resolves("Query", "teams")
def _teams(store: Store, _: Any, **args: Any) -> dict[str, Any]:
    return connection(store, "Team", by_time(store.teams), args)


@resolves("Query", "team")
def _team(store: Store, _: Any, id: str) -> dict[str, Any]:
    return store.team(id)


@resolves("Query", "workflowStates")
def _workflow_states(store: Store, _: Any, **args: Any) -> dict[str, Any]:
    return connection(store, "WorkflowState", by_time(store.states), args)


@resolves("Query", "issueLabels")
def _issue_labels(store: Store, _: Any, **args: Any) -> dict[str, Any]:
    return connection(store, "IssueLabel", by_time(store.labels), args)


@resolves("Query", "users")
def _users(store: Store, _: Any, **args: Any) -> dict[str, Any]:
    return connection(store, "User", by_time(store.users), args)


@resolves("Query", "viewer")
def _viewer(store: Store, _: Any) -> dict[str, Any]:
    return store.users[store.viewer_id]


@resolves("Query", "organization")
def _organization(store: Store, _: Any) -> dict[str, Any]:
    return ORG


# -- relations ------------------------------------------------------------------------------------


@resolves("Issue", "team")
@resolves("WorkflowState", "team")
def _team_of(store: Store, entity: dict[str, Any]) -> dict[str, Any]:
    return store.teams[entity["teamId"]]


@resolves("IssueLabel", "team")
def _label_team(store: Store, label: dict[str, Any]) -> dict[str, Any] | None:
    return store.teams.get(label["teamId"] or "")


@resolves("Issue", "state")
def _state_of(store: Store, issue: dict[str, Any]) -> dict[str, Any]:
    return store.states[issue["stateId"]]


@resolves("Issue", "parent")
def _parent_of(store: Store, issue: dict[str, Any]) -> dict[str, Any] | None:
    return store.issues.get(issue["parentId"] or "")


@resolves("Issue", "assignee")
def _assignee_of(store: Store, issue: dict[str, Any]) -> dict[str, Any] | None:
    return store.users.get(issue["assigneeId"] or "")


@resolves("Issue", "creator")
@resolves("Attachment", "creator")
def _creator_of(store: Store, entity: dict[str, Any]) -> dict[str, Any] | None:
    return store.users.get(entity.get("creatorId") or "")


@resolves("Comment", "user")
def _comment_user(store: Store, comment: dict[str, Any]) -> dict[str, Any] | None:
    return store.users.get(comment["userId"] or "")


@resolves("Comment", "issue")
@resolves("Attachment", "issue")
def _issue_of(store: Store, entity: dict[str, Any]) -> dict[str, Any]:
    return store.issues[entity["issueId"]]


@resolves("Issue", "priorityLabel")
def _priority_label(store: Store, issue: dict[str, Any]) -> str:
    return PRIORITY_LABELS[issue["priority"]]


@resolves("Issue", "children")
def _children(store: Store, issue: dict[str, Any], **args: Any) -> dict[str, Any]:
    kids = [i for i in by_time(store.issues) if i["parentId"] == issue["id"]]
    return connection(store, "Issue", kids, args)


@resolves("Issue", "labels")
def _labels_of(store: Store, issue: dict[str, Any], **args: Any) -> dict[str, Any]:
    return connection(store, "IssueLabel", [store.labels[i] for i in issue["labelIds"]], args)


@resolves("Issue", "comments")
def _comments_of(store: Store, issue: dict[str, Any], **args: Any) -> dict[str, Any]:
    found = [c for c in by_time(store.comments) if c["issueId"] == issue["id"]]
    return connection(store, "Comment", found, {**args, "filter": None})


@resolves("Issue", "attachments")
def _attachments_of(store: Store, issue: dict[str, Any], **args: Any) -> dict[str, Any]:
    found = [a for a in by_time(store.attachments) if a["issueId"] == issue["id"]]
    return connection(store, "Attachment", found, {**args, "filter": None})


@resolves("Team", "states")
def _states_of(store: Store, team: dict[str, Any], **args: Any) -> dict[str, Any]:
    return connection(store, "WorkflowState", store.states_of(team["id"]), args)


@resolves("Team", "labels")
def _team_labels(store: Store, team: dict[str, Any], **args: Any) -> dict[str, Any]:
    found = [label for label in by_time(store.labels) if label["teamId"] == team["id"]]
    return connection(store, "IssueLabel", found, args)


@resolves("Team", "issues")
@resolves("WorkflowState", "issues")
def _issues_in(store: Store, owner: dict[str, Any], **args: Any) -> dict[str, Any]:
    key = "teamId" if "key" in owner else "stateId"
    found = [i for i in by_time(store.issues) if i[key] == owner["id"]]
    return connection(store, "Issue", found, args)


@resolves("Team", "organization")
@resolves("User", "organization")
def _org(store: Store, _: Any) -> dict[str, Any]:
    return ORG


# -- mutations ------------------------------------------------------------------------------------


def _payload(store: Store, **entity: Any) -> dict[str, Any]:
    return {"success": True, "lastSyncId": store.next_sync(), **entity}


@resolves("Mutation", "issueCreate")
def _issue_create(store: Store, _: Any, input: dict[str, Any]) -> dict[str, Any]:
    return _payload(store, issue=store.create_issue(input))


@resolves("Mutation", "issueUpdate")
def _issue_update(store: Store, _: Any, id: str, input: dict[str, Any]) -> dict[str, Any]:
    return _payload(store, issue=store.update_issue(id, input))


@resolves("Mutation", "issueAddLabel")
def _issue_add_label(store: Store, _: Any, id: str, labelId: str) -> dict[str, Any]:
    return _payload(store, issue=store.update_issue(id, {"addedLabelIds": [labelId]}))


@resolves("Mutation", "issueRemoveLabel")
def _issue_remove_label(store: Store, _: Any, id: str, labelId: str) -> dict[str, Any]:
    return _payload(store, issue=store.update_issue(id, {"removedLabelIds": [labelId]}))


@resolves("Mutation", "commentCreate")
def _comment_create(store: Store, _: Any, input: dict[str, Any]) -> dict[str, Any]:
    return _payload(store, comment=store.create_comment(input))


@resolves("Mutation", "issueLabelCreate")
def _label_create(store: Store, _: Any, input: dict[str, Any], **_rest: Any) -> dict[str, Any]:
    return _payload(store, issueLabel=store.create_label(input))


@resolves("Mutation", "attachmentLinkURL")
def _attachment_link_url(
    store: Store, _: Any, issueId: str, url: str, title: str | None = None, **_rest: Any
) -> dict[str, Any]:
    return _payload(store, attachment=store.link_url(issueId, url, title))


@resolves("Mutation", "attachmentCreate")
def _attachment_create(store: Store, _: Any, input: dict[str, Any]) -> dict[str, Any]:
    attachment = store.link_url(input["issueId"], input["url"], input.get("title"))
    attachment.update({k: input[k] for k in ("subtitle", "metadata") if input.get(k) is not None})
    if input.get("commentBody"):
        store.create_comment({"issueId": input["issueId"], "body": input["commentBody"]})
    return _payload(store, attachment=attachment)
