"""Real names out: Open, Copy, Drag out and Show in File Manager hand over `<name>.<format>`."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication

from app.gui.export import ExportFolder, safe_name
from app.library.records import AssetChanges
from tests.gui.conftest import wait_for_names
from tests.gui.showcase import PLAN

pytestmark = pytest.mark.gui


@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [
        ("Hero animation", "gif", "Hero animation.gif"),
        ("hero.GIF", "gif", "hero.gif"),
        ("photo.jpeg", "jpg", "photo.jpg"),
        ("a/b\\c:d*e?f\"g<h>i|j", "png", "a_b_c_d_e_f_g_h_i_j.png"),
        ("CON", "pdf", "_CON.pdf"),
        ("trailing dots...  ", "mp4", "trailing dots.mp4"),
        ("   ", "wav", "asset.wav"),
        ("tab\there\nnewline", "mp3", "tab_here_newline.mp3"),
        ("é" * 300, "png", "é" * 100 + ".png"),
    ],
)
def test_safe_names(name: str, fmt: str, expected: str) -> None:
    assert safe_name(name, fmt) == expected


def _select(window, names):  # type: ignore[no-untyped-def]
    from tests.gui.test_organize import select_names

    select_names(window, names)


def test_copy_gives_real_names_as_hard_links_and_never_exposes_the_library_file(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    wait_for_names(qtbot, window, set(PLAN))
    records = [lib.get_asset(made.assets[n]) for n in ("hero-banner.jpg", "moodboard.jpg")]
    window.commands.copy(records)
    clip = QGuiApplication.clipboard().mimeData()
    copied = [Path(u.toLocalFile()) for u in clip.urls()]
    assert [p.name for p in copied] == ["hero-banner.jpg", "moodboard.jpg"]
    gnome = bytes(clip.data("x-special/gnome-copied-files").data()).decode().splitlines()
    assert gnome[0] == "copy" and [Path(QUrlPath(u)) for u in gnome[1:]] == copied
    for path, record in zip(copied, records, strict=True):
        original = lib.file_path(record)
        assert original.name == f"{record.id}.{record.format}"  # never renamed
        assert path.samefile(original)  # a hard link: no bytes copied
        assert not os.access(path, os.W_OK) or os.geteuid() == 0
        assert stat.S_IMODE(path.stat().st_mode) & 0o222 == 0  # read-only, and so the original
        assert path.parent != original.parent
    assert window.exports.copied == 0


def QUrlPath(uri: str) -> str:  # noqa: N802
    from PySide6.QtCore import QUrl

    return QUrl(uri).toLocalFile()


def test_open_and_reveal_use_the_real_name_and_a_rename_gives_a_new_one(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    record = lib.get_asset(made.assets["hero-banner.jpg"])
    path = window.commands.exported(record)
    assert path is not None and path.name == "hero-banner.jpg"
    lib.update_asset(record.id, AssetChanges(name="Hero animation"))
    renamed = window.commands.exported(lib.get_asset(record.id))
    assert renamed is not None and renamed.name == "Hero animation.jpg"
    window.close()
    assert not path.exists() and not renamed.exists()  # the session folder goes with the window
    assert lib.file_path(record).is_file()


def test_two_assets_with_one_name_both_export(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    a = lib.get_asset(made.assets["hero-banner.jpg"])
    b = lib.get_asset(made.assets["moodboard.jpg"])
    lib.update_asset(b.id, AssetChanges(name="hero-banner.jpg"))
    paths = [window.commands.exported(r) for r in (a, lib.get_asset(b.id))]
    assert [p.name for p in paths if p] == ["hero-banner.jpg", "hero-banner (2).jpg"]


def test_a_missing_file_is_said_not_handed_over(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    record = lib.get_asset(made.assets["hero-banner.jpg"])
    os.chmod(lib.file_path(record), 0o644)
    lib.file_path(record).unlink()
    errors: list[str] = []
    window.show_error = errors.append  # type: ignore[method-assign]
    assert window.commands.exported(record) is None
    assert errors == ["The file of “hero-banner.jpg” is missing from the library"]


def test_across_devices_the_file_is_copied_read_only(tmp_path, showcase) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    if not Path("/dev/shm").is_dir() or os.stat("/dev/shm").st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs a second file system")
    other = Path(tempfile.mkdtemp(dir="/dev/shm"))
    try:
        folder = ExportFolder(other)
        record = lib.get_asset(made.assets["moodboard.jpg"])
        path = folder.export(lib.file_path(record), record)
        assert path.name == "moodboard.jpg" and not path.samefile(lib.file_path(record))
        assert path.read_bytes() == lib.file_path(record).read_bytes() and folder.copied == 1
        assert stat.S_IMODE(path.stat().st_mode) & 0o222 == 0
        assert stat.S_IMODE(lib.file_path(record).stat().st_mode) & 0o222  # the original untouched
        folder.clear()
        assert not folder.root.exists()
    finally:
        shutil.rmtree(other, ignore_errors=True)
