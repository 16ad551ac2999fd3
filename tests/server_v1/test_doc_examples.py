"""The v1 document's curl and JavaScript examples, run as written against a live server."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests import media
from tests.server.live import LiveServer
from tests.server_v1.conftest import DOC_URL, V1, new_v1, shape, spec_example, spec_text

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")


def curl_examples() -> list[str]:
    """Every curl command of the document, continuation lines and quoted bodies included."""
    commands: list[str] = []
    current: list[str] | None = None
    for line in spec_text().splitlines():
        if current is None and line.startswith("curl "):
            current = []
        if current is None:
            continue
        current.append(line)
        text = "\n".join(current)
        if not line.endswith("\\") and text.count("'") % 2 == 0:
            commands.append(text)
            current = None
    return commands


def run_curl(command: str, cwd: Path) -> dict:  # type: ignore[type-arg]
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_the_document_has_seven_curl_examples() -> None:
    assert len(curl_examples()) == 7


def test_curl_examples_as_written(v1_server: LiveServer, tmp_path: Path) -> None:
    api = new_v1(v1_server)
    photo = media.make_jpeg(tmp_path, 64, 48, name="face-photo.jpg")
    seeded = api.upload_json(photo.path.read_bytes(), "face", filename="photo.jpg").json()["data"]
    list_shape = shape(spec_example("List Response"))
    upload_shape = shape(spec_example("Upload Response"))
    jpeg_b64 = base64.b64encode(photo.path.read_bytes()).decode()
    asset_id = seeded["id"]
    outputs = []
    for command in curl_examples():
        # Only the host, the key, the placeholder id and the elided base64 differ.
        command = DOC_URL.sub(api.base_url + "/api", command)
        command = command.replace("your_api_key", api.key or "")
        command = command.replace("/9j/4AAQ...", jpeg_b64)
        command = command.replace("/api/assets/asset-uuid", f"/api/assets/{asset_id}")
        outputs.append((command, run_curl(command, tmp_path)))
    by_kind = {
        "list": [o for c, o in outputs if "-X" not in c],
        "upload": [o for c, o in outputs if "-X POST" in c],
        "delete": [o for c, o in outputs if "-X DELETE" in c],
    }
    assert len(by_kind["list"]) == 4 and len(by_kind["upload"]) == 2
    for listing in by_kind["list"][:3]:
        assert listing["success"] is True
        if listing["data"]["assets"]:
            assert shape(listing) == list_shape
    assert by_kind["list"][2]["data"]["pagination"] == {"page": 2, "limit": 10}
    get = by_kind["list"][3]
    assert shape(get) == shape(spec_example("Get Response")) and get["data"]["id"] == asset_id
    multipart, as_json = by_kind["upload"]
    for upload in (multipart, as_json):
        assert shape(upload) == upload_shape
        assert upload["data"]["type"] == "face" and upload["data"]["mimeType"] == "image/jpeg"
        assert (upload["data"]["width"], upload["data"]["height"]) == (64, 48)
        assert upload["data"]["description"] == "Front face photo"
    assert multipart["data"]["name"] == "face-photo.jpg" and as_json["data"]["name"] == "my-face.jpg"
    assert by_kind["delete"] == [spec_example("Delete Response")]
    assert api.get(f"/api/assets/{asset_id}").status_code == 404
    # The seeded face is gone; both uploads are faces, and each url serves the photo.
    faces = {a["id"] for a in api.get("/api/assets?type=face").json()["data"]["assets"]}
    assert faces == {multipart["data"]["id"], as_json["data"]["id"]}
    assert api.get(multipart["data"]["url"]).content == photo.path.read_bytes()


def javascript_example() -> str:
    text = spec_text()
    start = text.index("const API = ")
    end = text.index("Assets are the prerequisite")
    return text[start:end]


DRIVER = """
const fs = require('fs');
(async () => {
  const front = fs.readFileSync(process.argv[2]).toString('base64');
  const side = fs.readFileSync(process.argv[3]).toString('base64');
  const person = await setupPerson('Ann Lee', [
    { base64: 'data:image/jpeg;base64,' + front, filename: 'ann-front.jpg' },
    { base64: side, filename: 'ann-side.jpg' },
  ]);
  const faces = await listFaceAssets();
  console.log(JSON.stringify({ person, faces }));
})().catch((err) => { console.error(err); process.exit(1); });
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_javascript_example_end_to_end(v1_server: LiveServer, tmp_path: Path) -> None:
    api: V1 = new_v1(v1_server)
    front = media.make_jpeg(tmp_path, 64, 48, name="front.jpg")
    side = media.make_jpeg(tmp_path, 48, 64, name="side.jpg")
    script = tmp_path / "example.js"
    script.write_text(DOC_URL.sub(api.base_url + "/api", javascript_example()) + DRIVER)
    done = subprocess.run(
        ["node", str(script), str(front.path), str(side.path)],
        env={"YOUTHUMB_API_KEY": api.key or "", "PATH": "/usr/bin:/bin:/usr/local/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    person, faces = out["person"], out["faces"]
    assert person["success"] is True and person["data"]["name"] == "Ann Lee"
    face_ids = [a["id"] for a in faces["data"]["assets"]]
    assert sorted(person["data"]["imageIds"]) == sorted(face_ids) and len(face_ids) == 2
    names = {a["name"] for a in faces["data"]["assets"]}
    assert names == {"ann-front.jpg", "ann-side.jpg"}
    stored = api.get(f"/api/persons/{person['data']['id']}").json()["data"]
    assert stored["imageIds"] == person["data"]["imageIds"]
