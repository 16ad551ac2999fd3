"""The asset server: the v2 Asset API (plus documented extensions) over a LibraryService."""
