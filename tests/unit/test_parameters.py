"""`key=value` words become a typed request, or a message listing what the type accepts."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from workflows.models.component_analysis import AnalysisRequest
from workflows.models.dead_code_cleanup import CleanupRequest
from workflows.parameters import ParameterError, parameters, parse_parameters, usage_lines


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class Inner(BaseModel):
    depth: int = Field(3, ge=1, description="how deep")
    tags: list[str] = Field(default_factory=list)


class Sample(BaseModel):
    repo: str = Field(description="where")
    name: str = Field(description="who")
    count: int | None = Field(None, description="how many")
    loud: bool = False
    colour: Colour = Colour.RED
    mode: Literal["fast", "slow"] = "fast"
    inner: Inner = Field(default_factory=Inner)


def test_parameters_describe_each_field_nested_ones_dotted() -> None:
    found = {p.name: p for p in parameters(Sample, fixed=["repo"])}
    assert list(found) == [
        "name", "count", "loud", "colour", "mode", "inner.depth", "inner.tags"
    ]  # fmt: skip
    assert found["name"].required and found["name"].kind == "text"
    assert not found["count"].required and found["count"].kind == "whole number"
    assert found["loud"].kind == "yes/no" and found["loud"].default == "no"
    assert found["colour"].kind == "one of red, blue" and found["colour"].default == "red"
    assert found["mode"].kind == "one of fast, slow"
    assert found["inner.depth"].default == "3" and not found["inner.depth"].required
    assert found["inner.tags"].is_list
    assert found["name"].usage() == "`name=<text>` required — who"


def test_words_become_a_typed_request() -> None:
    request = parse_parameters(
        Sample,
        ["name=ada", "count=3", "loud=yes", "colour=blue", "inner.depth=7", "inner.tags=a, b,"],
        fixed={"repo": "/srv/repo"},
    )
    assert request == Sample(
        repo="/srv/repo",
        name="ada",
        count=3,
        loud=True,
        colour=Colour.BLUE,
        inner=Inner(depth=7, tags=["a", "b"]),
    )


def test_keys_are_forgiving_about_case_and_dashes() -> None:
    request = parse_parameters(Sample, ["NAME=x", "inner.depth=2"], fixed={"repo": "."})
    assert isinstance(request, Sample) and request.name == "x" and request.inner.depth == 2


@pytest.mark.parametrize(
    ("words", "said"),
    [
        (["nam=x"], "Unknown parameter `nam`. Did you mean `name`?"),
        (["name"], "`name` is not `key=value`."),
        (["name=x", "name=y"], "`name` is given twice."),
        (["repo=/etc", "name=x"], "`repo` is set by the bot's configuration"),
        (["count=3"], "`name`: Field required"),
        (["name=x", "count=many"], "`count`: Input should be a valid integer"),
        (["name=x", "inner.depth=0"], "`inner.depth`: Input should be greater than or equal to 1"),
        (["name=x", "colour=green"], "`colour`: Input should be 'red' or 'blue'"),
    ],
)
def test_mistakes_are_explained_with_what_is_accepted(words: list[str], said: str) -> None:
    with pytest.raises(ParameterError) as caught:
        parse_parameters(Sample, words, fixed={"repo": "."}, workflow="sample")
    message = str(caught.value)
    assert said in message
    if "given twice" not in said and "configuration" not in said:
        assert "`sample` accepts:" in message and "• `inner.depth=<whole number>`" in message
        assert "repo=" not in message  # fixed by the caller: not offered


def test_defaults_apply_only_where_the_words_are_silent() -> None:
    given = parse_parameters(Sample, ["repo=/a", "name=x"], defaults={"repo": "/b"})
    silent = parse_parameters(Sample, ["name=x"], defaults={"repo": "/b"})
    assert isinstance(given, Sample) and isinstance(silent, Sample)
    assert (given.repo, silent.repo) == ("/a", "/b")


def test_too_many_words_are_refused() -> None:
    with pytest.raises(ParameterError, match="Too many parameters"):
        parse_parameters(Sample, ["name=x"] * 41, fixed={"repo": "."})


def test_the_real_requests_take_their_options_as_words() -> None:
    request = parse_parameters(
        AnalysisRequest,
        ["component=src", "ref=main", "options.select=unused-import", "linear_issue_id=zam-7"],
        fixed={"repo": "."},
    )
    assert isinstance(request, AnalysisRequest)
    assert request.options.select == ["unused-import"] and request.linear_issue_id == "ZAM-7"
    with pytest.raises(ParameterError, match="not a valid git ref"):
        parse_parameters(AnalysisRequest, ["ref=--upload-pack=x"], fixed={"repo": "."})
    with pytest.raises(ParameterError, match="unknown rule id"):
        parse_parameters(AnalysisRequest, ["options.select=nope"], fixed={"repo": "."})
    lines = usage_lines(CleanupRequest, fixed=["repo"])
    assert lines[0].startswith("`component=<text>` optional")
    assert any(
        line.startswith("`min_confidence=<whole number>` optional, default `90`") for line in lines
    )
