"""The pure parts of `code_quality_check`: changed lines of a diff, which findings are new,
how complexity moved and the verdict. No git, no network: everything here is unit-tested."""
