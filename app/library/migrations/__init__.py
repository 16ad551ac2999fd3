"""Alembic migrations of the library schema, applied when a library is opened."""
