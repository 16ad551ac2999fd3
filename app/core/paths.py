"""Per-OS folders: the default library location and the frozen-aware resources folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_DIR_NAME = "Atelier"


def default_data_dir() -> Path:
    """ATELIER_DATA_DIR when set, else the OS's per-user data folder."""
    env = os.environ.get("ATELIER_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False))


def resource_dir() -> Path:
    """The resources/ folder, beside the source tree or inside a PyInstaller bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def log_dir() -> Path:
    """ATELIER_LOG_DIR when set, else the OS's per-user log folder (where the window logs)."""
    env = os.environ.get("ATELIER_LOG_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False))
