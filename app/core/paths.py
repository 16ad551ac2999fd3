"""Per-OS folders: the default library location and the frozen-aware resources folder."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

APP_DIR_NAME = "Atelier"


def user_data_dir() -> Path:
    """The OS's per-user data folder: the default library (ATELIER_DATA_DIR is app.settings')."""
    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False))


def resource_dir() -> Path:
    """The resources/ folder, beside the source tree or inside a PyInstaller bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def user_log_dir() -> Path:
    """The OS's per-user log folder (ATELIER_LOG_DIR is app.settings')."""
    return Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False))
