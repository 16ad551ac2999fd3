"""PyInstaller runtime hook: runs first in every frozen process, import workers included."""

from app.core.bundled import use_bundled_magic_database

use_bundled_magic_database()
