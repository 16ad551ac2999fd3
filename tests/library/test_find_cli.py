"""The find commands as a user types them: rate, label, rights, list --where, smart, check --metadata."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image, ImageDraw

from tests.library.test_cli import atelier


def _picture(path: Path, colour: tuple[int, int, int], size: tuple[int, int]) -> Path:
    im = Image.new("RGB", size, colour)
    ImageDraw.Draw(im).rectangle([10, 10, 40, 40], fill=(250, 250, 250))
    im.save(path, "JPEG", quality=90)
    return path


def test_find_commands(tmp_path: Path) -> None:
    data = tmp_path / "lib"
    media = tmp_path / "media"
    media.mkdir()
    _picture(media / "red.jpg", (220, 20, 20), (400, 300))
    _picture(media / "blue.jpg", (20, 40, 220), (300, 400))
    done = atelier(data, "import", str(media), "--json", "--workers", "1")
    assert done.returncode == 0, done.stderr
    ids = {a["name"]: a["id"] for a in json.loads(done.stdout)["imported"]}
    red, blue = ids["red.jpg"], ids["blue.jpg"]

    assert atelier(data, "rate", "4", red).returncode == 0
    assert atelier(data, "label", "green", blue).returncode == 0

    def listed(*where: str) -> list[str]:
        args = [a for w in where for a in ("--where", w)]
        out = atelier(data, "list", "--json", *args)
        assert out.returncode == 0, out.stderr
        return [a["id"] for a in json.loads(out.stdout)]

    assert listed("rating>=4") == [red]
    assert listed("label=green") == [blue]
    assert listed("color=#dc1414") == [red]
    assert listed("orientation=portrait") == [blue]
    assert sorted(listed("rating>=4", "label=green")) == []
    either = atelier(data, "list", "--json", "--any", "--where", "rating>=4", "--where", "label=green")
    assert sorted(a["id"] for a in json.loads(either.stdout)) == sorted([red, blue])

    bad = atelier(data, "list", "--where", "stars>=9")
    assert bad.returncode == 1
    assert bad.stderr.strip() == "atelier: error: A rating is 0 to 5 stars"

    added = atelier(data, "smart", "add", "Reds", "--where", "color=red~60")
    assert added.returncode == 0, added.stderr
    assert "(1 asset(s))" in added.stdout
    folders = json.loads(atelier(data, "smart", "--json").stdout)
    assert [(f["name"], f["count"], f["rules"]) for f in folders] == [("Reds", 1, ["color=red~60"])]
    inside = atelier(data, "list", "--json", "--smart", "Reds")
    assert [a["id"] for a in json.loads(inside.stdout)] == [red]
    assert atelier(data, "smart", "remove", "Reds").returncode == 0
    assert json.loads(atelier(data, "smart", "--json").stdout) == []
    gone = atelier(data, "smart", "remove", "Reds")
    assert gone.returncode == 1 and "No smart folder" in gone.stderr

    set_rights = atelier(data, "rights", red, "--licence", "CC-BY", "--valid-until", "2000-01-01", "--json")
    assert set_rights.returncode == 0, set_rights.stderr
    shown = json.loads(set_rights.stdout)
    assert shown["licence"] == "CC-BY" and shown["status"] == "expired"
    assert listed("rights=expired") == [red]
    wrong = atelier(data, "rights", red, "--valid-until", "someday")
    assert wrong.returncode == 1 and "Not a date" in wrong.stderr

    shown = atelier(data, "show", red)
    assert shown.returncode == 0, shown.stderr
    assert "★★★★" in shown.stdout and "expired" in shown.stdout and "CC-BY" in shown.stdout
    as_json = json.loads(atelier(data, "show", red, "--json").stdout)
    assert as_json["metadata"]["rating"] == 4 and as_json["metadata"]["palette"]

    check = atelier(data, "check", "--metadata", "--json")
    assert check.returncode == 0, check.stderr
    assert json.loads(check.stdout) == {"read": 0, "unreadable": 0}  # import read them already
