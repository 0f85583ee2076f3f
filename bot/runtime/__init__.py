"""The bot process: start and stop, HTTP routes, embedded Prefect and the deployments it serves."""
