"""`atelier share create | request | list | revoke | activity`, and reviews in `show` and `list --review-status`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import media
from tests.server.live import live_server
from tests.server.sharing import Visitor
from tests.server.test_cli import _atelier, _run


def test_share_commands_on_a_server_library(tmp_path: Path, samples: dict[str, media.Sample],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "server"
    with live_server(data) as live:
        lib = live.library
        client = lib.create_client("Northwind")
        spring = lib.create_campaign(client.id, "Spring launch")
        target = lib.default_target(client_id=client.id, campaign_id=spring.id)
        report = lib.import_paths([samples["jpg"].path, samples["png"].path], target)
        jpg, png = (r.id for r in report.imported)

        made = _atelier(data, "share", "create", "--campaign", "Spring launch", "--expires", "2099-01-31",
                        "--password-stdin", "--no-download", "--url", live.base_url, stdin="blue whale 42\n")
        assert made.returncode == 0, made.stderr
        url = made.stdout.strip()
        assert url.startswith(f"{live.base_url}/s/") and "previews only" in made.stderr
        v = Visitor(live.base_url, url.rsplit("/", 1)[1])
        assert v.unlock("blue whale 42").status_code == 303
        assert v.get("/zip").status_code == 403  # --no-download
        assert v.review(jpg, "Dana", "approved").status_code == 303
        assert v.review(png, "Dana", comment="Warmer blue, please").status_code == 303

        code, out, _ = _run(capsys, data, "show", jpg)
        assert code == 0 and "reviewStatus" in out and "approved" in out and "Dana: approved" in out
        code, out, _ = _run(capsys, data, "show", png)
        assert "commented" in out and "Dana: Warmer blue, please" in out
        code, out, _ = _run(capsys, data, "list", "--review-status", "approved")
        assert jpg in out and png not in out and "1 of 1 asset(s)" in out
        code, out, _ = _run(capsys, data, "list", "--review-status", "unreviewed")
        assert jpg not in out and png not in out

        code, out, _ = _run(capsys, data, "share", "list")
        assert code == 0 and "Spring launch" in out and "active" in out and "password" in out
        link_id = out.splitlines()[2].split()[0]
        code, out, _ = _run(capsys, data, "share", "activity", link_id)
        assert "reviewed" in out and "Dana" in out

        upload = _atelier(data, "share", "request", "--campaign", "Spring launch", "--max-files", "5",
                          "--url", live.base_url)
        assert upload.returncode == 0 and "Upload link" in upload.stderr
        sent = Visitor(live.base_url, upload.stdout.strip().rsplit("/", 1)[1]).upload(samples["pdf"].path, uploader="Dana")
        assert sent.status_code == 201
        code, out, _ = _run(capsys, data, "show", sent.json()["id"])
        assert "sentBy" in out and "Dana" in out

        code, out, _ = _run(capsys, data, "share", "revoke", link_id)
        assert code == 0 and "Revoked" in out
        assert v.get().status_code == 410
        code, _, err = _run(capsys, data, "share", "create", "--campaign", "Nope")
        assert code != 0 and "No campaign named 'Nope'" in err
        code, _, err = _run(capsys, data, "share", "create", "--campaign", "Spring launch", "--expires", "31/01/2027")
        assert code != 0 and "YYYY-MM-DD" in err
