"""Text with NUL or an escape, refused in one line (or left out of a merge) on every database, never a 500.

PostgreSQL cannot store a NUL; a lone surrogate is refused by the request's validation
before it reaches the library (422 with the field named).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from PIL import Image

from tests.server.conftest import new_api
from tests.server.live import LiveServer

LATE = "1900000000000.0000.bbbb"
# Sent as JSON text, so the escapes reach the server as they are (a client library would
# refuse to encode a lone surrogate).
NUL, SURROGATE = "\\u0000", "\\ud800"


def _json(body: object, escape: str) -> str:
    """The body as JSON text with its one @ replaced by a raw escape."""
    return json.dumps(body).replace("@", escape)


def test_rights_text_with_control_characters_is_refused(server: LiveServer, tmp_path: Path) -> None:
    api = new_api(server, "controls")
    Image.new("RGB", (40, 30), (10, 200, 30)).save(tmp_path / "g.jpg", "JPEG")
    asset = api.upload(tmp_path / "g.jpg").json()
    path = f"/api/v2/assets/{asset['id']}/metadata"
    for key, bad in (("licence", NUL), ("credit", "\\u001b[31m"), ("source", SURROGATE)):
        body = _json({"rating": 3, "rights": {key: "Royalty @ free"}}, bad)
        r = api.patch(path, data=body, headers={"Content-Type": "application/json"})
        assert r.status_code in (400, 422), r.text
        if bad == SURROGATE:
            assert r.json()["detail"].startswith("Invalid request: rights.source")
        else:
            assert r.json() == {"detail": f"The {key} cannot contain control characters"}
    meta = api.get(path).json()
    assert meta["rating"] == 0 and meta["rights"]["licence"] is None  # nothing half done


def test_merges_leave_out_or_clean_such_text(server: LiveServer) -> None:
    api = new_api(server, "controlsync")
    client = api.post("/api/v2/clients", json={"name": "Acme"}).json()
    api.post("/api/v2/campaigns", json={"clientId": client["id"], "name": "Spring"})
    for bad in (NUL, "\\u0007"):
        body = _json({"campaigns": [{"client": "Acme", "campaign": "Spring", "editedAt": LATE,
                                     "licence": "RF@"}]}, bad)
        r = api.post("/api/v2/campaign-rights-sync", data=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 200, r.text
        assert r.json() == {"campaigns": []}

    uid = str(uuid.uuid4())
    body = _json({"folders": [{"uid": uid, "editedAt": LATE, "name": "Best@", "match": "all",
                               "rules": ["rating>=4"]}]}, NUL)
    r = api.post("/api/v2/smart-folder-sync", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert [f["name"] for f in api.get("/api/v2/smart-folders").json()] == ["Best"]
