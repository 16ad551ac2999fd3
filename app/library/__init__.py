"""The local library: SQLAlchemy models, file storage and the LibraryService every front end uses."""
