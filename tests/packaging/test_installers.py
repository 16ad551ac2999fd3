"""Build the real bundle and .deb, run the frozen self-test, install the .deb and use it (Linux)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import __app_name__, __version__
from tests.packaging.desktop_checks import validate_desktop_file, validate_metainfo

ROOT = Path(__file__).resolve().parents[2]
BUILD = [sys.executable, str(ROOT / "packaging" / "build.py")]
DESKTOP = Path("/usr/share/applications/atelier.desktop")
METAINFO = Path("/usr/share/metainfo/app.atelier.Atelier.metainfo.xml")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the .deb is built on Linux (CI builds the rest)"),
]


def _missing_tools() -> str | None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        return "PyInstaller is not installed (it is in the `test` extra)"
    for tool in ("dpkg-deb", "ffmpeg", "ffprobe"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One bundle for the module, built into a temporary folder and removed afterwards (~1 GB)."""
    missing = _missing_tools()
    if missing:
        pytest.skip(missing)
    folder = tmp_path_factory.mktemp("installers")
    result = subprocess.run([*BUILD, "--out", str(folder)], capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def bundle(out: Path) -> Path:
    return out / "dist" / __app_name__


def test_the_bundle_carries_what_the_app_needs_and_not_what_it_does_not(bundle: Path) -> None:
    internal = bundle / "_internal"
    for program in ("Atelier", "atelier"):
        assert os.access(bundle / program, os.X_OK), program
    expected = [
        "bin/ffmpeg", "bin/ffprobe", "libmagic.so.1", "libmagic/magic.mgc",
        "resources/atelier.svg", "resources/icons/image.svg",
        "app/library/migrations/env.py",
        "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so", "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/plugins/imageformats/libqsvg.so", "PySide6/Qt/plugins/imageformats/libqwebp.so",
        "PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so", "PySide6/Qt/lib/libQt6Pdf.so.6",
    ]  # fmt: skip
    for path in expected:
        assert (internal / path).exists(), path
    if importlib.util.find_spec("psycopg") is not None:
        assert (internal / "psycopg_binary").is_dir(), "the PostgreSQL driver for `serve --db-url`"
    versions = sorted(p.name for p in (ROOT / "app/library/migrations/versions").glob("*.py"))
    assert sorted(p.name for p in (internal / "app/library/migrations/versions").glob("*.py")) == versions
    assert list(internal.rglob("*pdfium*.so*")), "pypdfium2's library"
    names = [p.name.lower() for p in internal.rglob("*")]
    for unused in ("qt6webengine", "qt6quick", "qt6qml", "qt63d", "qtwebengineprocess"):
        assert not [n for n in names if unused in n], unused


def test_the_frozen_self_test_passes_without_system_ffmpeg(bundle: Path, tmp_path: Path) -> None:
    # No PATH: the bundle may only use what it carries. A UTF-8 locale, as any desktop has
    # (Qt rightly warns without one, and the self-test fails on warnings).
    env = {
        "HOME": str(tmp_path), "PATH": "/nonexistent", "LANG": "C.UTF-8",
        "ATELIER_DATA_DIR": str(tmp_path / "untouched"),
    }  # fmt: skip
    result = subprocess.run(
        [str(bundle / "atelier"), "--self-test"], capture_output=True, text=True, env=env, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"self-test (frozen bundle in {bundle})" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("PASS: Atelier works (6 of 6")
    assert not (tmp_path / "untouched").exists()


def _privileged() -> list[str] | None:
    """How to run dpkg as root here: directly, through passwordless sudo, or not at all."""
    if os.geteuid() == 0:
        return []
    sudo = shutil.which("sudo")
    if sudo and subprocess.run([sudo, "-n", "true"], capture_output=True, timeout=30).returncode == 0:
        return [sudo, "-n"]
    return None


def test_the_deb_installs_appears_in_the_menu_and_runs(out: Path, tmp_path: Path) -> None:
    result = subprocess.run([*BUILD, "--out", str(out), "--skip-bundle", "--deb"], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    debs = list(out.glob(f"atelier_{__version__}_*.deb"))
    assert len(debs) == 1
    info = subprocess.run(["dpkg-deb", "--field", str(debs[0])], capture_output=True, text=True, check=True).stdout
    assert f"Version: {__version__}" in info and "Depends: " in info and "libc6" in info

    as_root = _privileged()
    if as_root is None:
        pytest.skip("installing the .deb needs root or passwordless sudo")
    installed = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "atelier"], capture_output=True, text=True)
    if "ok installed" in installed.stdout:
        pytest.skip("an atelier package is already installed on this machine; it is left alone")
    subprocess.run([*as_root, "dpkg", "-i", str(debs[0])], check=True, capture_output=True, timeout=600)
    try:
        command = shutil.which("atelier", path="/usr/bin")
        assert command == "/usr/bin/atelier"
        version = subprocess.run([command, "--version"], capture_output=True, text=True, timeout=120)
        assert version.stdout.strip() == f"{__app_name__} {__version__}"
        env = dict(os.environ, HOME=str(tmp_path), ATELIER_DATA_DIR=str(tmp_path / "untouched"))
        check = subprocess.run([command, "--self-test"], capture_output=True, text=True, env=env, timeout=600)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "frozen bundle in /opt/atelier" in check.stdout

        entry = validate_desktop_file(DESKTOP)
        program = entry["Exec"].split()[0]
        assert os.access(program, os.X_OK)
        launched = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=120)
        assert launched.stdout.strip() == f"{__app_name__} {__version__}"
        for size in (16, 32, 48, 64, 128, 256, 512):
            assert Path(f"/usr/share/icons/hicolor/{size}x{size}/apps/{entry['Icon']}.png").is_file()
        assert Path(f"/usr/share/icons/hicolor/scalable/apps/{entry['Icon']}.svg").is_file()
        validate_metainfo(METAINFO, DESKTOP.name)
    finally:
        subprocess.run([*as_root, "dpkg", "-r", "atelier"], check=True, capture_output=True, timeout=600)
    assert not Path("/opt/atelier").exists() and not Path("/usr/bin/atelier").exists()
    assert not DESKTOP.exists()
