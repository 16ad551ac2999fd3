"""The `atelier` command line, run as a user runs it: a real process on a temporary library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import media


def atelier(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ATELIER_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        timeout=300,
    )


@pytest.fixture
def shoot(tmp_path: Path) -> Path:
    folder = tmp_path / "shoot"
    (folder / "clips").mkdir(parents=True)
    media.make_jpeg(folder, 800, 600, name="hero.jpg")
    media.make_png(folder, 120, 90, name="logo.png")
    media.make_mp4(folder / "clips", 320, 240, 2, name="teaser.mp4")
    media.make_mp3(folder / "clips", 2, name="jingle.mp3")
    media.make_pdf(folder, 2, name="brief.pdf")
    (folder / "notes.png").write_text("<html><body>not an image</body></html>")
    return folder


def test_import_list_show_and_edit(tmp_path: Path, shoot: Path) -> None:
    data = tmp_path / "lib"
    out = atelier(data, "import", str(shoot), "--client", "Acme", "--campaign", "Spring launch")
    assert out.returncode == 1, out.stderr  # one file was rejected
    assert "Imported 5" in out.stdout
    assert "notes.png: Invalid file type: text/html" in out.stdout
    assert "Traceback" not in out.stderr

    listed = atelier(data, "list", "--type", "video", "--client", "Acme", "--json")
    assert listed.returncode == 0, listed.stderr
    [video] = json.loads(listed.stdout)
    assert video["type"] == "video" and video["name"] == "teaser.mp4"
    assert (video["width"], video["height"], video["duration"]) == (320, 240, 2)
    assert video["thumbnailUrl"].endswith(f"/api/v2/assets/{video['id']}/thumbnail")

    table = atelier(data, "list", "--campaign", "Spring launch")
    assert "hero.jpg" in table.stdout and "5 of 5 asset(s)" in table.stdout

    shown = atelier(data, "show", video["id"], "--json")
    fields = json.loads(shown.stdout)
    for key in ("id", "userId", "clientId", "campaignId", "name", "url", "size", "uploadedAt",
                "tags", "type", "format", "width", "height", "duration", "thumbnailUrl", "sha256"):
        assert key in fields
    assert fields["uploadedAt"].endswith("Z")

    edited = atelier(data, "edit", video["id"], "--name", "Teaser v2", "--tags", "cut,final")
    assert edited.returncode == 0, edited.stderr
    again = json.loads(atelier(data, "show", video["id"], "--json").stdout)
    assert again["name"] == "Teaser v2" and again["tags"] == ["cut", "final"]

    dup = atelier(data, "import", str(shoot / "hero.jpg"))
    assert "skipped 1 duplicate" in dup.stdout and dup.returncode == 0


def test_clients_campaigns_cascade_and_errors(tmp_path: Path, shoot: Path) -> None:
    data = tmp_path / "lib"
    assert atelier(data, "clients", "add", "Globex").returncode == 0
    clash = atelier(data, "clients", "add", "globex")
    assert clash.returncode == 1 and clash.stderr.strip().startswith("atelier: error: A client named")
    assert atelier(data, "campaigns", "add", "Globex", "Launch").returncode == 0
    atelier(data, "import", str(shoot / "hero.jpg"), str(shoot / "brief.pdf"),
            "--client", "Globex", "--campaign", "Launch")
    assert atelier(data, "campaigns", "rename", "Launch", "Relaunch").returncode == 0
    listing = json.loads(atelier(data, "campaigns", "--json").stdout)
    assert listing[0]["name"] == "Relaunch" and listing[0]["assetCount"] == 2

    refused = atelier(data, "clients", "delete", "Globex")  # no tty, no --yes
    assert refused.returncode == 1
    assert len(json.loads(atelier(data, "list", "--json").stdout)) == 2

    gone = atelier(data, "clients", "delete", "Globex", "--yes")
    assert gone.returncode == 0 and "2 asset(s)" in gone.stdout
    assert json.loads(atelier(data, "list", "--json").stdout) == []
    assert [p for p in (data / "assets").iterdir() if p.is_file()] == []

    missing = atelier(data, "show", "5b0e7c3e-0000-4000-8000-000000000000")
    assert missing.returncode == 1 and missing.stderr.strip() == (
        "atelier: error: No asset with the id '5b0e7c3e-0000-4000-8000-000000000000' (see `atelier list`)"
    )
    nofile = atelier(data, "import", str(tmp_path / "nope"))
    assert nofile.returncode == 1 and "No such file or folder" in nofile.stderr


def test_check_reports_and_repairs(tmp_path: Path, shoot: Path) -> None:
    data = tmp_path / "lib"
    atelier(data, "import", str(shoot / "hero.jpg"), str(shoot / "logo.png"))
    assert atelier(data, "check").returncode == 0
    victim = next((data / "assets").glob("*.png"))
    victim.unlink()
    bad = atelier(data, "check", "--json")
    assert bad.returncode == 1
    assert [i["kind"] for i in json.loads(bad.stdout)["issues"]] == ["missing_file"]
    assert atelier(data, "check", "--repair").returncode == 1  # rows are removed only on a yes
    assert atelier(data, "check", "--repair", "--yes").returncode == 0
    assert atelier(data, "check").returncode == 0


def test_awkward_names_import_with_safe_display_names(library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "awkward"
    folder.mkdir()
    cases = media.awkward_names(folder)
    # The files are identical pictures: duplicates are allowed to see every name.
    report = library.import_paths([p for p, _ in cases], allow_duplicates=True)
    assert not report.rejected, report.rejected
    names = {r.name for r in report.imported}
    # The names as a user's system reported them (1000 characters, "../", control characters)
    # arrive through the streamed path, as uploads and sync downloads do.
    target = library.default_target()
    for path, reported in cases + [(cases[0][0], "../../etc/passwd.jpg")]:
        with open(path, "rb") as fh:
            names.add(library.import_stream(fh, reported, target).name)
    assert len(names) >= len(cases)
    assert library.check().clean
    for name in names:
        assert "/" not in name and "\\" not in name
        assert not any(ord(c) < 32 for c in name)
        assert 0 < len(name) <= 255
    assert any("Café" in n or "日本" in n for n in names)


def test_library_options_work_after_the_command(tmp_path: Path, shoot: Path) -> None:
    data = tmp_path / "elsewhere"
    env = {k: v for k, v in os.environ.items() if k != "ATELIER_DATA_DIR"}
    env["ATELIER_DATA_DIR"] = str(tmp_path / "default")
    out = subprocess.run(
        [sys.executable, "-m", "app", "import", str(shoot / "hero.jpg"), "--data-dir", str(data)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert (data / "library.db").exists() and not (tmp_path / "default").exists()
    listed = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(data), "list", "--json"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert [a["name"] for a in json.loads(listed.stdout)] == ["hero.jpg"]
