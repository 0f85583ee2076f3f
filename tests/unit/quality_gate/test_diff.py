"""Changed lines from `git diff --unified=0`: hunks, new, deleted and renamed files."""

from __future__ import annotations

import subprocess
from pathlib import Path

from workflows.quality_gate.diff import ChangedLines, parse_unified_diff, unquote_path

DIFF = """\
diff --git a/pkg/app.py b/pkg/app.py
index 1111111..2222222 100644
--- a/pkg/app.py
+++ b/pkg/app.py
@@ -1,0 +2,2 @@ import os
+import json
+import re
@@ -10 +12 @@ def run():
-    return 1
+    return 2
@@ -20,3 +22,0 @@ def gone():
-    a
-    b
-    c
diff --git a/pkg/new.py b/pkg/new.py
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/pkg/new.py
@@ -0,0 +1,3 @@
+x = 1
+++ b/fake.py
+y = 2
\\ No newline at end of file
diff --git a/pkg/old.py b/pkg/old.py
deleted file mode 100644
index 4444444..0000000
--- a/pkg/old.py
+++ /dev/null
@@ -1,2 +0,0 @@
-a = 1
-b = 2
diff --git a/pkg/before.py b/pkg/after.py
similarity index 90%
rename from pkg/before.py
rename to pkg/after.py
index 5555555..6666666 100644
--- a/pkg/before.py
+++ b/pkg/after.py
@@ -4 +4 @@ def f():
-    pass
+    return None
diff --git a/pkg/moved.py b/pkg/sub/moved.py
similarity index 100%
rename from pkg/moved.py
rename to pkg/sub/moved.py
"""


def test_hunks_give_the_added_spans_per_file() -> None:
    changed = parse_unified_diff(DIFF)
    assert set(changed.files) == {"pkg/app.py", "pkg/new.py", "pkg/after.py", "pkg/sub/moved.py"}
    assert changed.files["pkg/app.py"].spans == [(2, 3), (12, 12)]  # the pure deletion adds none
    assert changed.files["pkg/new.py"].spans == [(1, 3)]
    assert changed.files["pkg/new.py"].old_path is None
    assert changed.line_count == 2 + 1 + 3 + 1


def test_an_added_line_that_looks_like_a_header_is_not_one() -> None:
    # The added line "++ b/fake.py" shows as "+++ b/fake.py" inside the new file's hunk.
    changed = parse_unified_diff(DIFF)
    assert "fake.py" not in changed.files
    assert changed.files["pkg/new.py"].spans == [(1, 3)]


def test_renames_are_remembered_even_without_edits() -> None:
    changed = parse_unified_diff(DIFF)
    assert changed.renames() == {
        "pkg/before.py": "pkg/after.py",
        "pkg/moved.py": "pkg/sub/moved.py",
    }
    assert changed.files["pkg/after.py"].spans == [(4, 4)]
    assert changed.files["pkg/sub/moved.py"].spans == []


def test_first_changed_line_inside_a_range() -> None:
    changed = parse_unified_diff(DIFF)
    assert changed.first_changed("pkg/app.py", 1, 1) is None
    assert changed.first_changed("pkg/app.py", 3, 3) == 3
    assert changed.first_changed("pkg/app.py", 5, 20) == 12  # a function whose body changed
    assert changed.first_changed("pkg/app.py", 1, 2) == 2
    assert changed.first_changed("pkg/unknown.py", 1, 99) is None


def test_quoted_paths_are_unquoted() -> None:
    assert unquote_path('"pkg/na\\303\\257ve.py"') == "pkg/naïve.py"
    assert unquote_path("pkg/plain.py") == "pkg/plain.py"
    diff = 'diff --git "a/na\\303\\257ve.py" "b/na\\303\\257ve.py"\n--- "a/na\\303\\257ve.py"\n'
    diff += '+++ "b/na\\303\\257ve.py"\n@@ -1 +1 @@\n-a\n+b\n'
    assert list(parse_unified_diff(diff).files) == ["naïve.py"]


def test_an_empty_diff_changes_nothing() -> None:
    assert parse_unified_diff("") == ChangedLines()


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def test_real_git_output(tmp_path: Path) -> None:
    """The parser reads what git itself prints (unified=0, renames found)."""
    _git("init", "-q", "-b", "main", cwd=tmp_path)
    _git("config", "user.email", "t@example.com", cwd=tmp_path)
    _git("config", "user.name", "T", cwd=tmp_path)
    body = "".join(f"line_{i} = {i}\n" for i in range(1, 21))
    (tmp_path / "a.py").write_text(body)
    (tmp_path / "b.py").write_text(body.replace("line_", "other_"))
    _git("add", "-A", cwd=tmp_path)
    _git("commit", "-qm", "base", cwd=tmp_path)
    (tmp_path / "a.py").write_text(body.replace("line_5 = 5\n", "line_5 = 55\nextra = 0\n"))
    _git("mv", "b.py", "c.py", cwd=tmp_path)
    (tmp_path / "c.py").write_text(body.replace("line_", "other_") + "tail = 1\n")
    _git("add", "-A", cwd=tmp_path)
    _git("commit", "-qm", "head", cwd=tmp_path)
    diff = _git("diff", "--unified=0", "--find-renames", "HEAD~1...HEAD", cwd=tmp_path)
    changed = parse_unified_diff(diff)
    assert changed.files["a.py"].spans == [(5, 6)]
    assert changed.files["c.py"].old_path == "b.py"
    assert changed.files["c.py"].spans == [(21, 21)]
