"""Shared database plumbing: settings, the embedded cluster, the pool, schema and migrations."""
