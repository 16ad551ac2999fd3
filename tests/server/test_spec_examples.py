"""The spec's own example requests, as written: its curl commands and its JavaScript fetch code."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from app.api.schemas import asset_adapter
from tests import media
from tests.server.conftest import Api, new_api
from tests.server.live import LiveServer

HERE = Path(__file__).resolve().parent

# Verbatim from spec/assets-api-v2.txt.
CURL_UPLOAD = '''curl -X POST "https://api.example.com/api/v2/upload-asset" \\
  -H "Authorization: Bearer YOUR_TOKEN" \\
  -F "file=@/path/to/logo.png" \\
  -F "clientId=client-uuid-123" \\
  -F "name=Company Logo"'''
CURL_DELETE = '''curl -X DELETE "https://api.example.com/api/v2/assets/asset-uuid-abc" \\
  -H "Authorization: Bearer YOUR_TOKEN"'''
SPEC_GETS = [
    "GET /api/v2/assets",
    "GET /api/v2/assets?clientId=client-uuid-123",
    "GET /api/v2/assets?campaignId=campaign-uuid-456&asset_type=video",
    "GET /api/v2/assets?asset_type=image&limit=20&offset=0",
    "GET /api/v2/assets/asset-uuid-abc",
    "GET /api/v2/assets/asset-uuid-abc/thumbnail",
]
INVALID_TYPE = (
    "Invalid file type: image/bmp. Allowed: images (jpg, png, gif, webp), videos (mp4, mov), "
    "audio (mp3, wav), documents (pdf)"
)


def _curl(command: str, substitutions: dict[str, str]) -> tuple[int, bytes]:
    for placeholder, value in substitutions.items():
        command = command.replace(placeholder, value)
    argv = shlex.split(command.replace("\\\n", " "))
    result = subprocess.run(
        [*argv, "-s", "-w", "\n%{http_code}"], capture_output=True, check=True, timeout=60
    )
    body, _, status = result.stdout.rpartition(b"\n")
    return int(status), body


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_spec_curl_examples(server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(server)
    client = api.post("/api/v2/clients", json={"name": "Acme"}).json()
    campaign = api.post("/api/v2/campaigns", json={"clientId": client["id"], "name": "Spring"}).json()
    video = api.upload(samples["mp4"].path, campaignId=campaign["id"]).json()
    subs = {
        "https://api.example.com": server.base_url,
        "YOUR_TOKEN": api.token or "",
        "/path/to/logo.png": str(samples["png"].path),
        "client-uuid-123": client["id"],
        "campaign-uuid-456": campaign["id"],
    }
    status, body = _curl(CURL_UPLOAD, subs)
    assert status == 201, body
    logo = json.loads(body)
    asset_adapter.validate_python(logo)
    assert logo["type"] == "image" and logo["format"] == "png" and logo["clientId"] == client["id"]
    assert logo["name"] == "Company Logo" and logo["campaignId"] is None and logo["tags"] is None
    assert (logo["width"], logo["height"]) == (samples["png"].width, samples["png"].height)

    subs["asset-uuid-abc"] = video["id"]
    expected = {
        "GET /api/v2/assets": {logo["id"], video["id"]},
        "GET /api/v2/assets?clientId=client-uuid-123": {logo["id"], video["id"]},
        "GET /api/v2/assets?campaignId=campaign-uuid-456&asset_type=video": {video["id"]},
        "GET /api/v2/assets?asset_type=image&limit=20&offset=0": {logo["id"]},
    }
    for line in SPEC_GETS:
        path = line.split(" ", 1)[1]
        command = f'curl "https://api.example.com{path}" -H "Authorization: Bearer YOUR_TOKEN"'
        status, body = _curl(command, subs)
        assert status == 200, (line, body[:200])
        if line in expected:
            listed = json.loads(body)
            assert {a["id"] for a in listed} == expected[line]
            for item in listed:
                asset_adapter.validate_python(item)
        elif line.endswith("/thumbnail"):
            assert body[:3] == b"\xff\xd8\xff"  # "Returns JPEG thumbnail"
        else:
            assert body == samples["mp4"].path.read_bytes()

    status, body = _curl(CURL_DELETE, subs)
    assert (status, json.loads(body)) == (
        200, {"success": True, "message": f"Asset {video['id']} deleted successfully"}
    )
    status, body = _curl(CURL_DELETE, subs)
    assert (status, json.loads(body)) == (404, {"detail": "Asset not found"})


def test_spec_error_responses(sqlite_server: LiveServer, tmp_path: Path, samples: dict[str, media.Sample]) -> None:
    api, other = new_api(sqlite_server), new_api(sqlite_server)
    bad = {p.name: p for p, _ in media.bad_corpus(tmp_path)}
    response = api.upload(bad["picture.bmp"])
    assert (response.status_code, response.json()) == (400, {"detail": INVALID_TYPE})
    response = api.upload(bad["huge.jpg"])
    assert (response.status_code, response.json()) == (400, {"detail": "File too large. Maximum size is 50.0MB"})
    theirs = other.upload(samples["png"].path).json()
    response = api.delete(f"/api/v2/assets/{theirs['id']}")
    assert (response.status_code, response.json()) == (
        403, {"detail": "You don't have permission to delete this asset"}
    )
    response = api.get("/api/v2/assets/6f1c1a5e-0000-4000-8000-000000000000")
    assert (response.status_code, response.json()) == (404, {"detail": "Asset not found"})


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node 20")
def test_spec_javascript_examples(server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api: Api = new_api(server)
    client = api.post("/api/v2/clients", json={"name": "Acme"}).json()
    campaign = api.post("/api/v2/campaigns", json={"clientId": client["id"], "name": "Spring"}).json()
    env = {
        **os.environ,
        "BASE_URL": server.base_url,
        "TOKEN": api.token or "",
        "CLIENT_ID": client["id"],
        "CAMPAIGN_ID": campaign["id"],
        "LOGO_PATH": str(samples["png"].path),
        "VIDEO_PATH": str(samples["mp4"].path),
    }
    result = subprocess.run(
        ["node", str(HERE / "spec_examples.mjs")], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)

    assert out["upload"]["status"] == 201
    for asset in (out["upload"]["asset"], out["logo"], out["video"]):
        asset_adapter.validate_python(asset)
    logo, video = out["logo"], out["video"]
    assert logo["type"] == "image" and logo["name"] == "Company Logo" and logo["clientId"] == client["id"]
    assert video["type"] == "video" and video["campaignId"] == campaign["id"] and out["isVideo"] is True
    assert video["name"] == samples["mp4"].path.name
    assert video["thumbnailUrl"] == f"{server.base_url}/api/v2/assets/{video['id']}/thumbnail"
    assert out["log"] == [
        f"Logo uploaded: {samples['png'].width}x{samples['png'].height}",
        f"Video uploaded: {samples['mp4'].duration}s",
        f"Thumbnail available at: {video['thumbnailUrl']}",
    ]
    assert sorted(out["gallery"]) == sorted(
        f'<img src="{a["url"]}" alt="{a["name"]}" />' for a in (out["upload"]["asset"], logo)
    )
    assert out["videos"] == [
        {
            "id": video["id"],
            "name": video["name"],
            "duration": video["duration"],
            "thumbnail": video["thumbnailUrl"],
            "videoUrl": video["url"],
        }
    ]
    assert out["file"] == {"status": 200, "type": "video/mp4", "length": samples["mp4"].path.stat().st_size}
    assert out["thumbnail"]["status"] == 200 and out["thumbnail"]["type"] == "image/jpeg"
