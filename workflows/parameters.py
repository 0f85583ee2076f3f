"""A workflow's parameters as `key=value` words: what a type accepts, and a typed request.

`/cicd run <type> key=value ...` and `cicd run <type> key=value ...` start any implemented type
from its request model (`FlowSpec.request_type`). Fields of nested models are named with a dot
(`options.min_confidence=90`); a list takes comma-separated values (`options.select=a,b`).
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

MAX_WORDS = 40


class ParameterError(ValueError):
    """The words do not make a valid request; the message says what the type accepts."""

    @classmethod
    def from_validation(cls, exc: ValidationError) -> ParameterError:
        """Pydantic's errors as one readable line: `` `field`: problem; ...``."""
        said = []
        for error in exc.errors(include_url=False):
            where = ".".join(str(part) for part in error["loc"]) or "request"
            said.append(f"`{where}`: {error['msg']}")
        return cls("; ".join(said) + ".")


@dataclass(frozen=True)
class Parameter:
    """One parameter a workflow type accepts."""

    name: str  # dotted for a field of a nested model
    kind: str  # "text", "whole number", "yes/no", "list of text", "one of a, b"
    required: bool
    default: str | None
    description: str
    is_list: bool = False

    def usage(self) -> str:
        """`` `name=<kind>` required — what it is`` (Slack mrkdwn), for help texts."""
        default = f", default `{self.default}`" if self.default not in (None, "") else ""
        need = "required" if self.required else f"optional{default}"
        about = f" — {self.description}" if self.description else ""
        return f"`{self.name}=<{self.kind}>` {need}{about}"


def parameters(model: type[BaseModel], *, fixed: Sequence[str] = ()) -> list[Parameter]:
    """Every parameter of `model`, nested models flattened; `fixed` names are left out."""
    found: list[Parameter] = []
    for name, info in model.model_fields.items():
        if name in fixed or set_by_caller(info):
            continue
        nested = _model_in(info.annotation)
        if nested is not None:
            found += [_prefixed(p, name) for p in parameters(nested) if not p.name.startswith("_")]
            continue
        found.append(_parameter(name, info))
    return found


def set_by_caller(info: FieldInfo) -> bool:
    """A field the starting side fills (`json_schema_extra={"set_by_caller": True}`), never a
    person: left out of usage lines and refused as a word."""
    extra = info.json_schema_extra
    return isinstance(extra, dict) and extra.get("set_by_caller") is True


def parse_parameters(
    model: type[BaseModel],
    words: Sequence[str],
    *,
    fixed: Mapping[str, object] | None = None,
    defaults: Mapping[str, object] | None = None,
    workflow: str = "",
) -> BaseModel:
    """The request `words` describe; `ParameterError` saying what is wrong and what is accepted.

    `fixed` values are set by the caller (the bot sets `repo`) and may not be given as words;
    `defaults` apply where the words say nothing (the terminal's `repo` is `CICD_REPO`).
    """
    fixed = dict(fixed or {})
    accepted = {p.name: p for p in parameters(model, fixed=list(fixed))}
    if len(words) > MAX_WORDS:
        raise ParameterError(f"Too many parameters ({len(words)}); at most {MAX_WORDS}.")
    data: dict[str, object] = {**(defaults or {}), **fixed}
    given: set[str] = set()
    for word in words:
        key, sep, value = word.partition("=")
        key = key.strip().lower().replace("-", "_")
        if not sep or not key:
            raise ParameterError(_with_usage(f"`{word}` is not `key=value`.", workflow, accepted))
        if key in fixed:
            raise ParameterError(f"`{key}` is set by the bot's configuration, not per run.")
        if key not in accepted:
            close = difflib.get_close_matches(key, list(accepted), n=1, cutoff=0.6)
            hint = f" Did you mean `{close[0]}`?" if close else ""
            raise ParameterError(
                _with_usage(f"Unknown parameter `{key}`.{hint}", workflow, accepted)
            )
        if key in given:
            raise ParameterError(f"`{key}` is given twice.")
        given.add(key)
        parsed: object = [v.strip() for v in value.split(",") if v.strip()]
        _put(data, key, parsed if accepted[key].is_list else value.strip())
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = str(ParameterError.from_validation(exc))
        raise ParameterError(_with_usage(problems, workflow, accepted)) from None


def usage_lines(model: type[BaseModel], *, fixed: Sequence[str] = ()) -> list[str]:
    """One line per parameter, for help texts."""
    return [p.usage() for p in parameters(model, fixed=fixed)] or ["(no parameters)"]


def _with_usage(message: str, workflow: str, accepted: Mapping[str, Parameter]) -> str:
    what = f"`{workflow}` accepts" if workflow else "Accepted"
    lines = [f"• {p.usage()}" for p in accepted.values()] or ["• no parameters"]
    return "\n".join([message, f"{what}:", *lines])


def _put(data: dict[str, object], dotted: str, value: object) -> None:
    *parents, leaf = dotted.split(".")
    target = data
    for part in parents:
        child = target.setdefault(part, {})
        assert isinstance(child, dict)  # only nested models are dotted
        target = child
    target[leaf] = value


def _prefixed(parameter: Parameter, prefix: str) -> Parameter:
    return Parameter(
        f"{prefix}.{parameter.name}",
        parameter.kind,
        False,  # a nested model has defaults of its own when left out
        parameter.default,
        parameter.description,
        parameter.is_list,
    )


def _parameter(name: str, info: FieldInfo) -> Parameter:
    kind, is_list = _kind(info.annotation)
    default: str | None = None
    if info.default is not PydanticUndefined and info.default is not None:
        value = info.default
        default = value.value if isinstance(value, Enum) else str(value)
        if isinstance(value, bool):
            default = "yes" if value else "no"
    return Parameter(name, kind, info.is_required(), default, info.description or "", is_list)


def _model_in(annotation: object) -> type[BaseModel] | None:
    for candidate in (annotation, *_members(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _members(annotation: object) -> tuple[object, ...]:
    """The types inside `X | None` (or `Optional[X]`)."""
    if get_origin(annotation) in (Union, types.UnionType):
        return tuple(a for a in get_args(annotation) if a is not type(None))
    return ()


def _kind(annotation: object) -> tuple[str, bool]:
    """How a person should write a value of this type, and whether it is a list."""
    inner = _members(annotation)
    if len(inner) == 1:
        annotation = inner[0]
    origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        (item, *_) = get_args(annotation) or (str,)
        return f"list of {_kind(item)[0]}, comma-separated", True
    if origin is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(annotation)), False
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "one of " + ", ".join(str(m.value) for m in annotation), False
    names = {bool: "yes/no", int: "whole number", float: "number", str: "text"}
    return names.get(annotation, "text") if isinstance(annotation, type) else "text", False
