"""Resolving a component (a path inside a repository) safely."""

from __future__ import annotations

from pathlib import Path, PurePosixPath


class ComponentError(ValueError):
    """The component path is not usable; the message says why and what to do."""


def normalise_component(component: str) -> str:
    """Clean a user-typed component path, rejecting absolute paths and `..` escapes."""
    text = component.strip().strip("`").replace("\\", "/")
    if text in ("", ".", "./"):
        return ""
    if text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        raise ComponentError(f"`{component}` is absolute; give a path inside the repository")
    parts = [p for p in PurePosixPath(text).parts if p not in ("", ".")]
    if ".." in parts:
        raise ComponentError(f"`{component}` leaves the repository; `..` is not allowed")
    return "/".join(parts)


def resolve_component(root: Path, component: str) -> Path:
    """The directory or file of `component` under `root`; it must exist and stay inside."""
    clean = normalise_component(component)
    base = root.resolve()
    target = (base / clean).resolve()
    if target != base and base not in target.parents:
        raise ComponentError(f"`{component}` leads outside the repository (a symlink?)")
    if not target.exists():
        raise ComponentError(f"`{clean}` does not exist in the repository")
    return target
