"""Validation, probing, metadata and thumbnails: no Qt, no web, no SQL."""
