"""Git plumbing: checkouts, worktrees for prepared changes, and safe component paths."""
