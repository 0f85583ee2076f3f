"""GitHub, Linear and Codegen as Prefect tasks, with official clients and shared retry rules."""
