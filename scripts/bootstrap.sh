#!/usr/bin/env bash
# Set up .venv with Python 3.12 or 3.13 and the project installed (idempotent, quick when done).
# Sourced by scripts/cicd and scripts/test; can also be run alone.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

say() { printf '%s\n' "$*" >&2; }

suitable() {  # suitable PYTHON -> true if it is CPython 3.12 or 3.13 with venv
  "$1" -c 'import sys, venv; sys.exit(0 if (3, 12) <= sys.version_info[:2] < (3, 14) else 1)' \
    >/dev/null 2>&1
}

find_python() {
  local candidate
  # 1. Whatever is on PATH, newest first.
  for candidate in python3.13 python3.12 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 && suitable "$(command -v "$candidate")"; then
      command -v "$candidate"; return 0
    fi
  done
  # 2. pyenv-managed interpreters that are installed but not selected.
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in 3.13 3.12; do
      local found
      found="$(PYENV_VERSION="$candidate" pyenv which "python$candidate" 2>/dev/null || true)"
      if [ -n "$found" ] && suitable "$found"; then echo "$found"; return 0; fi
    done
  fi
  # 3. uv-managed interpreters.
  if command -v uv >/dev/null 2>&1; then
    candidate="$(uv python find '>=3.12,<3.14' 2>/dev/null || true)"
    if [ -n "$candidate" ] && suitable "$candidate"; then echo "$candidate"; return 0; fi
  fi
  return 1
}

if ! command -v git >/dev/null 2>&1; then
  say "error: git is needed (the flows check repositories out with it). Install git first."
  exit 1
fi

if [ ! -x "$VENV/bin/python" ] || ! suitable "$VENV/bin/python"; then
  if ! PYTHON="$(find_python)"; then
    say "error: cicd-chatops needs Python 3.12 or 3.13 (with venv), and none was found."
    say "Install one, then run this again. For example:"
    say "  Debian/Ubuntu:  sudo apt install python3.12 python3.12-venv"
    say "  macOS:          brew install python@3.12"
    say "  pyenv:          pyenv install 3.12"
    say "  uv:             uv python install 3.12"
    exit 1
  fi
  say "Creating .venv with $("$PYTHON" --version) ($PYTHON)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
fi

# Reinstall only when the dependencies changed.
STAMP="$VENV/.installed-$( (cat "$ROOT/pyproject.toml"; "$VENV/bin/python" --version) | cksum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ]; then
  say "Installing cicd-chatops and its dependencies into .venv (first run takes a minute)…"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[dev]"
  rm -f "$VENV"/.installed-*
  touch "$STAMP"
fi
