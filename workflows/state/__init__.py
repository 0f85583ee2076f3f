"""Small records the system keeps beside its runs, in Prefect's database (SQLite or PostgreSQL)."""
