"""Unit tests of the integrations (GitHub, Linear, Codegen)."""
