"""Checks of the Linux menu entry and metainfo: the freedesktop tools when present, else by parsing."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path


def validate_desktop_file(path: Path) -> dict[str, str]:
    """The [Desktop Entry] group; AssertionError with the validator's words if it is invalid."""
    tool = shutil.which("desktop-file-validate")
    if tool:
        result = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and "error" not in result.stdout, result.stdout + result.stderr
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    assert parser.sections() == ["Desktop Entry"], parser.sections()
    entry = dict(parser["Desktop Entry"])
    for key in ("Type", "Name", "Exec", "Icon", "Categories"):
        assert entry.get(key), f"{path.name} has no {key}"
    assert entry["Type"] == "Application"
    assert entry["Categories"].endswith(";")
    assert entry.get("Terminal", "false") == "false"
    return entry


def validate_metainfo(path: Path, desktop_id: str) -> ET.Element:
    tool = shutil.which("appstreamcli")
    if tool:
        result = subprocess.run([tool, "validate", "--no-net", str(path)], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
    root = ET.parse(path).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") and root.findtext("name") == "Atelier" and root.findtext("summary")
    assert root.findtext("launchable[@type='desktop-id']") == desktop_id
    return root
