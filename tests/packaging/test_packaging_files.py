"""The packaging sources themselves, checked without building anything."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app import __app_name__, __version__
from tests.packaging.desktop_checks import validate_desktop_file, validate_metainfo

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
BUILD = [sys.executable, str(PACKAGING / "build.py")]


def test_the_desktop_entry_is_valid_and_starts_the_windowed_program() -> None:
    entry = validate_desktop_file(PACKAGING / "linux" / "atelier.desktop")
    assert entry["Name"] == __app_name__
    # %F: files a user opens with Atelier arrive as arguments, and are imported.
    assert entry["Exec"] == "/opt/atelier/Atelier %F" and entry["Icon"] == "atelier"
    assert entry["TryExec"] == "/opt/atelier/Atelier"
    mime_types = set(filter(None, entry["MimeType"].split(";")))
    assert {"image/jpeg", "video/mp4", "audio/mpeg", "application/pdf"} <= mime_types


def test_the_metainfo_is_valid_and_names_the_desktop_entry(tmp_path: Path) -> None:
    source = (PACKAGING / "linux" / "app.atelier.Atelier.metainfo.xml").read_text(encoding="utf-8")
    filled = tmp_path / "app.atelier.Atelier.metainfo.xml"
    filled.write_text(source.replace("@VERSION@", __version__).replace("@DATE@", "2026-01-01"), encoding="utf-8")
    root = validate_metainfo(filled, "atelier.desktop")
    assert root.findtext("id") == "app.atelier.Atelier"
    assert root.find("releases/release").get("version") == __version__  # type: ignore[union-attr]


@pytest.mark.gui
def test_icons_are_rendered_at_every_hicolor_size(tmp_path: Path) -> None:
    import icons
    from PIL import Image

    written = icons.render_pngs(ROOT / "resources" / "atelier.svg", tmp_path, (16, 48, 256))
    for size, path in written.items():
        with Image.open(path) as image:
            assert image.size == (size, size) and image.mode == "RGBA"
            assert image.getpixel((0, 0))[3] == 0  # transparent corner
            assert image.getpixel((size // 2, size // 2))[3] == 255  # the drawing itself
    ico = icons.write_ico(written[256], tmp_path / "atelier.ico")
    with Image.open(ico) as image:
        assert (256, 256) in image.info["sizes"] and (16, 16) in image.info["sizes"]


def test_the_elf_reader_agrees_with_the_dynamic_linker() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("ELF files are Linux's")
    from linux import elfdeps

    python = Path(os.path.realpath(sys.executable))
    needed = elfdeps.needed(python)
    assert "libc.so.6" in needed
    ldd = subprocess.run(["ldd", str(python)], capture_output=True, text=True, check=True).stdout
    for name in needed:
        assert name in ldd
    assert elfdeps.needed(ROOT / "README.md") == []


def test_windows_file_versions_are_numbers_only() -> None:
    from windows import inno

    assert inno.numeric_version("1.2.0rc1") == "1.2.0"
    assert inno.numeric_version("2") == "2.0.0"
    assert inno.numeric_version("1.2.3.4.5") == "1.2.3.4"


def test_the_inno_script_installs_shortcuts_and_an_uninstaller() -> None:
    iss = (PACKAGING / "windows" / "atelier.iss").read_text(encoding="utf-8")
    assert re.search(r"^Name: \"\{group\}\\\{#AppName\}\"; Filename: \"\{app\}\\\{#AppExe\}\"", iss, re.M)
    assert '{autodesktop}\\{#AppName}' in iss and "{uninstallexe}" in iss
    assert '#define AppExe "Atelier.exe"' in iss


def test_the_workflow_builds_and_smoke_tests_on_every_os() -> None:
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "installers.yml").read_text(encoding="utf-8"))
    jobs = workflow["jobs"]
    assert set(jobs) == {"linux", "macos", "windows"}
    for job in jobs.values():
        commands = " ".join(step.get("run", "") for step in job["steps"])
        assert "packaging/build.py --self-test" in commands


def test_building_a_foreign_installer_is_refused_in_one_line() -> None:
    if sys.platform == "darwin":
        pytest.skip("the .dmg can be built here")
    result = subprocess.run([*BUILD, "--dmg"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].endswith("--dmg can only be built on macOS")


def test_a_missing_ffmpeg_stops_the_build_with_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "no-ffmpeg"
    empty.mkdir()
    env = dict(os.environ, ATELIER_FFMPEG_DIR=str(empty))
    result = subprocess.run([*BUILD, "--out", str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert result.stderr == f"build: error: ffmpeg was not found in ATELIER_FFMPEG_DIR={empty}; install ffmpeg first\n"
    assert not (tmp_path / "out" / "dist").exists()
