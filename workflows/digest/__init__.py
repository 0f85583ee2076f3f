"""The channel health digest: one collector per area (GitHub Actions, pull requests, Linear,
this system's runs), each a fetch plus a pure summary, and the trend chart."""
