"""The v1 dialect on PostgreSQL: the persons migration, uploads with a purpose, persons, deletion."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import media
from tests.server.live import live_server
from tests.server_v1.conftest import assert_error, new_v1

pytestmark = pytest.mark.postgres


def test_v1_on_postgres(pg_url: str, tmp_path: Path) -> None:
    jpg = media.make_jpeg(tmp_path, 64, 48)
    with live_server(tmp_path / "lib", pg_url) as live:
        api = new_v1(live)
        face = api.upload_json(jpg.path.read_bytes(), "face", description="d" * 500)
        assert face.status_code == 201, face.text
        face_id = face.json()["data"]["id"]
        assert [a["id"] for a in api.get("/api/assets?type=face").json()["data"]["assets"]] == [face_id]
        person = api.post("/api/persons", json={"name": "Ann", "imageIds": [face_id]}).json()["data"]
        assert person["imageIds"] == [face_id]
        # The foreign key cascades on PostgreSQL too: a deleted face leaves its persons.
        assert api.delete(f"/api/assets/{face_id}").status_code == 200
        assert api.get(f"/api/persons/{person['id']}").json()["data"]["imageIds"] == []
        assert_error(api.get(f"/api/assets/{face_id}"), 404, "NOT_FOUND")
