"""The documented extensions: server-info, login, clients, campaigns, PATCH asset, change feed."""

from __future__ import annotations

import uuid

import requests

from app import __version__
from tests import media
from tests.server.conftest import new_api
from tests.server.live import LiveServer


def test_server_info(server: LiveServer) -> None:
    info = requests.get(server.base_url + "/api/v2/server-info", timeout=30).json()
    assert info == {
        "name": "Atelier",
        "version": __version__,
        "apiVersion": 2,
        "extensions": [
            "clients", "campaigns", "asset-update", "login", "idempotency", "changes",
            "tags-on-upload", "find-sync", "smart-folder-sync", "campaign-rights-sync",
            "deleted-state",
        ],
        "maxUploadBytes": 50 * 1024 * 1024,
    }


def test_login_returns_a_working_token(server: LiveServer) -> None:
    api = new_api(server, "studio", password="s3cret pass")
    response = requests.post(
        server.base_url + "/api/v2/auth/login",
        json={"username": api.username, "password": "s3cret pass"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    token = response.json()
    assert token["tokenType"] == "bearer" and token["username"] == api.username
    assert token["userId"] == api.user_id
    listed = requests.get(
        server.base_url + "/api/v2/assets", headers={"Authorization": f"Bearer {token['token']}"}, timeout=30
    )
    assert listed.status_code == 200
    for body in (
        {"username": api.username, "password": "wrong"},
        {"username": "nobody-" + api.username, "password": "s3cret pass"},
        {"username": "local", "password": ""},  # the desktop's own user has no password
        {"username": "a\u0000b", "password": "x"},
    ):
        refused = requests.post(server.base_url + "/api/v2/auth/login", json=body, timeout=30)
        assert (refused.status_code, refused.json()) == (401, {"detail": "Wrong user name or password"})
    malformed = requests.post(server.base_url + "/api/v2/auth/login", json={"username": "x"}, timeout=30)
    assert malformed.status_code == 422 and "password" in malformed.json()["detail"]


def test_clients_and_campaigns_crud_with_cascade(server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(server)
    created = api.post("/api/v2/clients", json={"name": "  Acme   Corp "})
    assert created.status_code == 201
    client = created.json()
    assert client["name"] == "Acme Corp" and client["assetCount"] == 0
    assert set(client) == {"id", "name", "createdAt", "updatedAt", "assetCount"}
    duplicate = api.post("/api/v2/clients", json={"name": "acme corp"})
    assert duplicate.status_code == 409 and "already exists" in duplicate.json()["detail"]
    assert api.post("/api/v2/clients", json={"name": ""}).status_code == 422
    assert api.post("/api/v2/clients", json={"name": "bad\u0000name"}).status_code == 422
    other = api.post("/api/v2/clients", json={"name": "Globex"}).json()
    assert [c["name"] for c in api.get("/api/v2/clients").json()] == ["Acme Corp", "Globex"]

    spring = api.post("/api/v2/campaigns", json={"clientId": client["id"], "name": "Spring"})
    assert spring.status_code == 201
    spring_id = spring.json()["id"]
    assert spring.json()["clientId"] == client["id"]
    assert api.post("/api/v2/campaigns", json={"clientId": client["id"], "name": "spring"}).status_code == 409
    bad_client = api.post("/api/v2/campaigns", json={"clientId": "nope", "name": "X"})
    assert (bad_client.status_code, bad_client.json()) == (400, {"detail": "Invalid client ID format"})
    autumn = api.post("/api/v2/campaigns", json={"clientId": other["id"], "name": "Autumn"}).json()
    assert [c["id"] for c in api.get(f"/api/v2/campaigns?clientId={client['id']}").json()] == [spring_id]
    assert len(api.get("/api/v2/campaigns").json()) == 2

    renamed = api.patch(f"/api/v2/clients/{client['id']}", json={"name": "Acme"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Acme"
    moved = api.patch(f"/api/v2/campaigns/{autumn['id']}", json={"name": "Fall", "clientId": client["id"]})
    assert moved.status_code == 200
    assert (moved.json()["name"], moved.json()["clientId"]) == ("Fall", client["id"])

    logo = api.upload(samples["png"].path, clientId=client["id"]).json()
    clip = api.upload(samples["mp4"].path, campaignId=spring_id).json()
    kept = api.upload(samples["jpg"].path, clientId=other["id"]).json()
    assert api.get(f"/api/v2/clients/{client['id']}").json()["assetCount"] == 2
    assert api.get(f"/api/v2/campaigns/{spring_id}").json()["assetCount"] == 1
    records = [server.library.get_asset(a["id"]) for a in (logo, clip)]

    gone = api.delete(f"/api/v2/clients/{client['id']}")
    assert gone.status_code == 200
    assert gone.json() == {
        "success": True,
        "message": f"Client {client['id']} deleted successfully",
        "deletedAssets": 2,
    }
    assert not any(server.library.stored_file(r) for r in records)
    assert [a["id"] for a in api.get("/api/v2/assets").json()] == [kept["id"]]
    assert api.get(f"/api/v2/campaigns/{spring_id}").status_code == 404
    assert api.get(f"/api/v2/clients/{client['id']}").json() == {"detail": "Client not found"}
    assert api.get("/api/v2/clients/not-a-uuid").json() == {"detail": "Invalid client ID format"}

    last = api.post("/api/v2/campaigns", json={"clientId": other["id"], "name": "Last"}).json()
    api.upload(samples["gif"].path, campaignId=last["id"])
    dropped = api.delete(f"/api/v2/campaigns/{last['id']}")
    assert dropped.json() == {
        "success": True,
        "message": f"Campaign {last['id']} deleted successfully",
        "deletedAssets": 1,
    }


def test_patch_asset(server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(server)
    client = api.post("/api/v2/clients", json={"name": "Acme"}).json()
    other = api.post("/api/v2/clients", json={"name": "Globex"}).json()
    campaign = api.post("/api/v2/campaigns", json={"clientId": other["id"], "name": "Launch"}).json()
    asset = api.upload(samples["pdf"].path, clientId=client["id"]).json()
    url = f"/api/v2/assets/{asset['id']}"

    renamed = api.patch(url, json={"name": "Guidelines v2", "tags": ["brand", "print"]})
    assert renamed.status_code == 200
    body = renamed.json()
    assert (body["name"], body["tags"], body["clientId"]) == ("Guidelines v2", ["brand", "print"], client["id"])
    assert body["type"] == "document" and body["pageCount"] == samples["pdf"].page_count
    # Filing under another client's campaign moves the asset to that client.
    refiled = api.patch(url, json={"campaignId": campaign["id"]}).json()
    assert (refiled["campaignId"], refiled["clientId"]) == (campaign["id"], other["id"])
    assert refiled["name"] == "Guidelines v2"
    cleared = api.patch(url, json={"tags": None, "clientId": None, "campaignId": None}).json()
    assert (cleared["tags"], cleared["clientId"], cleared["campaignId"]) == (None, None, None)
    assert api.patch(url, json={}).json()["name"] == "Guidelines v2"
    for body, status in [
        ({"name": None}, 400),
        ({"name": ""}, 422),
        ({"tags": "brand"}, 422),
        ({"clientId": "client-uuid-123"}, 400),
        ({"clientId": str(uuid.uuid4())}, 404),
    ]:
        response = api.patch(url, json=body)
        assert response.status_code == status, (body, response.text)
        assert isinstance(response.json()["detail"], str)
    missing = api.patch(f"/api/v2/assets/{uuid.uuid4()}", json={"name": "x"})
    assert (missing.status_code, missing.json()) == (404, {"detail": "Asset not found"})


def test_change_feed(server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(server)
    empty = api.get("/api/v2/changes").json()
    assert empty["assets"] == [] and empty["deleted"] == [] and empty["hasMore"] is False
    client = api.post("/api/v2/clients", json={"name": "Acme"}).json()
    first = api.upload(samples["jpg"].path, clientId=client["id"]).json()
    second = api.upload(samples["wav"].path).json()
    feed = api.get("/api/v2/changes?cursor=0").json()
    assert [s["asset"]["id"] for s in feed["assets"]] == [first["id"], second["id"]]
    state = feed["assets"][0]
    assert state["asset"] == first
    assert state["clientName"] == "Acme" and state["campaignName"] is None
    assert len(state["sha256"]) == 64 and state["updatedAt"].endswith("Z")
    cursor = feed["cursor"]
    assert api.get(f"/api/v2/changes?cursor={cursor}").json()["assets"] == []

    api.patch(f"/api/v2/assets/{first['id']}", json={"name": "Edited"})
    api.delete(f"/api/v2/assets/{second['id']}")
    later = api.get(f"/api/v2/changes?cursor={cursor}").json()
    assert [s["asset"]["name"] for s in later["assets"]] == ["Edited"]
    assert [d["id"] for d in later["deleted"]] == [second["id"]]
    assert later["deleted"][0]["deletedAt"].endswith("Z")

    paged = api.get("/api/v2/changes?cursor=0&limit=1").json()
    assert paged["hasMore"] is True and len(paged["assets"]) + len(paged["deleted"]) == 1
    for bad in ("limit=0", "limit=1001", "cursor=-1", "cursor=x"):
        response = api.get(f"/api/v2/changes?{bad}")
        assert response.status_code == 422 and isinstance(response.json()["detail"], str)
