"""Project dependencies: reading them from manifests, comparing versions, editing pins."""
