"""The in-bot scheduler: `schedules:` from the configuration, the stored ones, exactly once."""
