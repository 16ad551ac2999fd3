"""Two-way sync between a desktop library and an asset server."""
