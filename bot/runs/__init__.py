"""A run's life in Slack: launch, follow, the live progress message, the thread's outcome."""
