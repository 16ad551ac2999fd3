"""Owner-only access: two users never see or touch each other's things; tokens are checked."""

from __future__ import annotations

import requests

from tests import media
from tests.server.conftest import new_api
from tests.server.live import LiveServer


def test_two_users_cannot_see_or_touch_each_others_assets(
    server: LiveServer, samples: dict[str, media.Sample]
) -> None:
    alice, bob = new_api(server, "alice"), new_api(server, "bob")
    client = alice.post("/api/v2/clients", json={"name": "Acme"}).json()
    campaign = alice.post("/api/v2/campaigns", json={"clientId": client["id"], "name": "Spring"}).json()
    audio = alice.upload(samples["mp3"].path, clientId=client["id"]).json()
    video = alice.upload(samples["mp4"].path, campaignId=campaign["id"]).json()
    bobs = bob.upload(samples["png"].path).json()

    for asset in (audio, video):
        for suffix in ("", "/thumbnail", "/waveform"):
            response = bob.get(f"/api/v2/assets/{asset['id']}{suffix}")
            assert (response.status_code, response.json()) == (404, {"detail": "Asset not found"})
        denied = bob.delete(f"/api/v2/assets/{asset['id']}")
        assert denied.status_code == 403
        assert denied.json() == {"detail": "You don't have permission to delete this asset"}
        edit = bob.patch(f"/api/v2/assets/{asset['id']}", json={"name": "mine now"})
        assert (edit.status_code, edit.json()) == (404, {"detail": "Asset not found"})
    assert [a["id"] for a in bob.get("/api/v2/assets").json()] == [bobs["id"]]
    assert bob.get(f"/api/v2/assets?clientId={client['id']}").json() == []
    assert bob.get(f"/api/v2/assets?campaignId={campaign['id']}").json() == []
    assert bob.get("/api/v2/changes").json()["assets"][0]["asset"]["id"] == bobs["id"]
    assert len(bob.get("/api/v2/changes").json()["assets"]) == 1

    assert bob.get(f"/api/v2/clients/{client['id']}").status_code == 404
    assert bob.get("/api/v2/clients").json() == []
    assert bob.get(f"/api/v2/campaigns/{campaign['id']}").status_code == 404
    assert bob.get(f"/api/v2/campaigns?clientId={client['id']}").json() == []
    assert bob.delete(f"/api/v2/clients/{client['id']}").status_code == 404
    assert bob.delete(f"/api/v2/campaigns/{campaign['id']}").status_code == 404
    assert bob.patch(f"/api/v2/clients/{client['id']}", json={"name": "x"}).status_code == 404
    stolen = bob.post("/api/v2/campaigns", json={"clientId": client["id"], "name": "Hijack"})
    assert (stolen.status_code, stolen.json()) == (404, {"detail": "Client not found"})
    refile = bob.patch(f"/api/v2/assets/{bobs['id']}", json={"clientId": client["id"]})
    assert (refile.status_code, refile.json()) == (404, {"detail": "Client not found"})

    # Alice still has everything, files included.
    assert {a["id"] for a in alice.get("/api/v2/assets").json()} == {audio["id"], video["id"]}
    assert alice.get(f"/api/v2/assets/{video['id']}").content == samples["mp4"].path.read_bytes()
    assert alice.get(f"/api/v2/assets/{audio['id']}/waveform").status_code == 200


def test_missing_bad_and_revoked_tokens_get_401(sqlite_server: LiveServer) -> None:
    base = sqlite_server.base_url
    paths = [
        ("GET", "/api/v2/assets"),
        ("GET", "/api/v2/assets/00000000-0000-4000-8000-000000000000"),
        ("DELETE", "/api/v2/assets/00000000-0000-4000-8000-000000000000"),
        ("POST", "/api/v2/upload-asset"),
        ("GET", "/api/v2/clients"),
        ("GET", "/api/v2/changes"),
    ]
    api = new_api(sqlite_server)
    sqlite_server.library.revoke_tokens(api.username)
    for headers, detail in [
        ({}, "Not authenticated"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "Not authenticated"),
        ({"Authorization": "Bearer nope"}, "Invalid or revoked token"),
        ({"Authorization": f"Bearer {api.token}"}, "Invalid or revoked token"),
    ]:
        for method, path in paths:
            response = requests.request(method, base + path, headers=headers, timeout=30)
            assert response.status_code == 401, (method, path, headers)
            assert response.json() == {"detail": detail}
            assert response.headers["WWW-Authenticate"] == "Bearer"
    # server-info needs no token.
    assert requests.get(base + "/api/v2/server-info", timeout=30).status_code == 200


def test_an_unauthenticated_huge_upload_is_not_read(sqlite_server: LiveServer) -> None:
    def endless():  # type: ignore[no-untyped-def]
        for _ in range(4096):
            yield bytes(1024 * 1024)

    try:
        response = requests.post(
            sqlite_server.base_url + "/api/v2/upload-asset",
            data=endless(),
            headers={"Content-Type": "multipart/form-data; boundary=x"},
            timeout=30,
        )
    except requests.ConnectionError:
        return  # closed on us mid-body: fine, nothing was read
    assert response.status_code == 401
    assert response.headers.get("Connection", "").lower() == "close"


