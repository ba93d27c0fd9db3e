"""Prefect flows: ``ingest`` (new and changed inputs), ``reindex`` (stored raw inputs under the current rules)."""
