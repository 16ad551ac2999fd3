"""The v1 /api/assets endpoints on a live server: uploads, validation, keys, listing, v2 beside it."""

from __future__ import annotations

import base64

import pytest

from app.library.records import AssetChanges
from app.library.service import Target
from tests import media
from tests.server.live import LiveServer
from tests.server_v1.conftest import V1, assert_error, data_url, incoming_files, new_v1


def test_base64_with_and_without_the_data_prefix(api: V1, images: dict[str, media.Sample]) -> None:
    jpg = images["jpg"].path
    with_prefix = api.post("/api/assets", json={"base64": data_url(jpg), "type": "face"})
    without = api.upload_json(jpg.read_bytes(), "template", filename="t.jpg", description="Style")
    assert with_prefix.status_code == without.status_code == 201
    a, b = with_prefix.json()["data"], without.json()["data"]
    assert a["type"] == "face" and b["type"] == "template"
    assert a["name"].startswith("face-") and a["name"].endswith(".jpg")  # generated when absent
    assert b["name"] == "t.jpg" and b["description"] == "Style" and a["description"] is None
    for data in (a, b):
        assert data["mimeType"] == "image/jpeg" and data["size"] == jpg.stat().st_size
        assert (data["width"], data["height"]) == (64, 48)
        assert data["createdAt"].endswith("Z") and len(data["createdAt"]) == 24
        assert data["url"] == f"{api.base_url}/api/assets/{data['id']}/file"
        assert api.get(data["url"]).content == jpg.read_bytes()


@pytest.mark.parametrize("fmt", ["png", "gif", "webp"])
def test_every_image_format_by_json_and_multipart(
    api: V1, images: dict[str, media.Sample], fmt: str
) -> None:
    sample = images[fmt]
    mime = f"image/{fmt}"
    by_json = api.upload_json(sample.path.read_bytes(), "face", mimeType=mime)
    by_form = api.upload_form(sample.path, "template", description="multipart")
    for response in (by_json, by_form):
        assert response.status_code == 201, response.text
        data = response.json()["data"]
        assert data["mimeType"] == mime and (data["width"], data["height"]) == (
            sample.width,
            sample.height,
        )
    assert by_form.json()["data"]["name"] == sample.path.name


def test_the_bytes_decide_whatever_mime_type_claims(
    v1_server: LiveServer, api: V1, images: dict[str, media.Sample]
) -> None:
    # A real PNG sent as "image/jpeg" is stored as the PNG it is.
    png = api.upload_json(images["png"].path.read_bytes(), "face", mimeType="image/jpeg")
    assert png.status_code == 201 and png.json()["data"]["mimeType"] == "image/png"
    before = api.get("/api/assets").json()["data"]["assets"]
    # Not an image at all, whatever the claim: refused, and nothing is kept.
    for data, reason in [
        (images["pdf"].path.read_bytes(), "Invalid file type: application/pdf"),
        (images["mp4"].path.read_bytes(), "Invalid file type: video/mp4"),
        (b"<html><body>hi</body></html>", "Invalid file type: text/html"),
    ]:
        response = api.upload_json(data, "face", mimeType="image/jpeg")
        assert_error(response, 400, "INVALID_FILE_TYPE", reason)
    # Looks like a JPEG, is not one.
    truncated = images["jpg"].path.read_bytes()[:300]
    assert_error(api.upload_json(truncated, "face"), 400, "UNREADABLE_FILE", "Cannot read image")
    assert_error(api.upload_json(b"", "face"), 400, "EMPTY_FILE", "File is empty")
    assert api.get("/api/assets").json()["data"]["assets"] == before
    assert incoming_files(v1_server) == []


def test_mime_type_must_be_an_image_type(api: V1, images: dict[str, media.Sample]) -> None:
    response = api.upload_json(images["jpg"].path.read_bytes(), "face", mimeType="application/pdf")
    assert_error(response, 422, "VALIDATION_ERROR", "mimeType")


def test_description_of_500_characters_is_accepted_and_501_refused(
    v1_server: LiveServer, api: V1, images: dict[str, media.Sample]
) -> None:
    jpg = images["jpg"].path
    ok = api.upload_json(jpg.read_bytes(), "face", description="d" * 500)
    assert ok.status_code == 201 and ok.json()["data"]["description"] == "d" * 500
    assert api.get(f"/api/assets/{ok.json()['data']['id']}").json()["data"]["description"] == "d" * 500
    assert_error(
        api.upload_json(jpg.read_bytes(), "face", description="d" * 501),
        422,
        "VALIDATION_ERROR",
        "description",
    )
    assert_error(api.upload_form(jpg, "face", description="é" * 501), 422, "VALIDATION_ERROR")
    assert api.upload_form(jpg, "face", description="é" * 500).status_code == 201
    assert incoming_files(v1_server) == []


@pytest.mark.parametrize(
    ("body", "status", "code", "message"),
    [
        ({"type": "face"}, 422, "VALIDATION_ERROR", "base64"),
        ({"base64": "IMAGE"}, 422, "VALIDATION_ERROR", "type"),
        ({"base64": "IMAGE", "type": "video"}, 422, "VALIDATION_ERROR", "type"),
        ({"type": "face", "base64": "IMAGE", "filename": 5}, 422, "VALIDATION_ERROR", "filename"),
        ({"base64": 12, "type": "face"}, 422, "VALIDATION_ERROR", "base64"),
        ({"base64": "not base64!", "type": "face"}, 400, "INVALID_BODY", "Invalid base64"),
        ({"base64": "data:image/png,xyz", "type": "face"}, 400, "INVALID_BODY", "data URL"),
    ],
)
def test_json_body_errors(
    v1_server: LiveServer,
    api: V1,
    images: dict[str, media.Sample],
    body: dict,  # type: ignore[type-arg]
    status: int,
    code: str,
    message: str,
) -> None:
    if body.get("base64") == "IMAGE":
        body = {**body, "base64": base64.b64encode(images["jpg"].path.read_bytes()).decode()}
    assert_error(api.post("/api/assets", json=body), status, code, message)
    assert incoming_files(v1_server) == []


def test_other_body_errors(api: V1, images: dict[str, media.Sample]) -> None:
    json_type = {"Content-Type": "application/json"}
    cut = api.post("/api/assets", data=b'{"type": "face", "base64": ', headers=json_type)
    assert_error(cut, 400, "INVALID_BODY", "Invalid JSON")
    text = api.post("/api/assets", data=b"x", headers={"Content-Type": "text/plain"})
    assert_error(text, 415, "UNSUPPORTED_MEDIA_TYPE")
    no_file = api.post("/api/assets", data={"type": "face"}, files={"other": ("a", b"b")})
    assert_error(no_file, 400, "INVALID_INPUT", "file")
    with images["jpg"].path.open("rb") as f:
        no_type = api.post("/api/assets", files={"file": ("a.jpg", f)})
    assert_error(no_type, 422, "VALIDATION_ERROR", "type")


def test_keys(v1_server: LiveServer, api: V1, images: dict[str, media.Sample]) -> None:
    mine = api.upload_json(images["jpg"].path.read_bytes(), "face").json()["data"]
    anonymous = V1(api.base_url, None)
    wrong = V1(api.base_url, "akey_" + "x" * 43)
    bearer = V1(api.base_url, v1_server.library.create_token(api.username))  # not an API key
    for client in (anonymous, wrong, bearer):
        for response in (
            client.get("/api/assets"),
            client.get(f"/api/assets/{mine['id']}"),
            client.get(mine["url"]),
            client.delete(f"/api/assets/{mine['id']}"),
            client.upload_json(images["jpg"].path.read_bytes()),
            client.get("/api/persons"),
        ):
            assert_error(response, 401, "UNAUTHORIZED", "API key")
            assert response.headers["WWW-Authenticate"] == 'ApiKey header="x-api-key"'
    # Another user's key sees none of it.
    other = new_v1(v1_server)
    assert other.get("/api/assets").json()["data"]["assets"] == []
    for response in (
        other.get(f"/api/assets/{mine['id']}"),
        other.get(mine["url"]),
        other.delete(f"/api/assets/{mine['id']}"),
    ):
        assert_error(response, 404, "NOT_FOUND", "Asset not found")
    assert api.get(f"/api/assets/{mine['id']}").status_code == 200
    # A revoked key stops working at once.
    v1_server.library.revoke_token(api.key or "")
    assert_error(api.get("/api/assets"), 401, "UNAUTHORIZED", "Invalid or revoked API key")


def test_list_filters_and_pages(v1_server: LiveServer, api: V1, images: dict[str, media.Sample]) -> None:
    faces = [api.upload_json(images["jpg"].path.read_bytes(), "face").json()["data"]["id"] for _ in range(3)]
    template = api.upload_json(images["png"].path.read_bytes(), "template").json()["data"]["id"]
    # Images without a purpose and other kinds of files stay v2's: not listed, not found.
    lib = v1_server.library
    uid = lib.get_user(api.username).id
    with images["mp4"].path.open("rb") as f:
        video = lib.import_stream(f, "clip.mp4", Target(user_id=uid))
    with images["jpg2"].path.open("rb") as f:
        plain = lib.import_stream(f, "plain.jpg", Target(user_id=uid))

    def ids(query: str) -> list[str]:
        response = api.get("/api/assets" + query)
        assert response.status_code == 200, response.text
        return [a["id"] for a in response.json()["data"]["assets"]]

    assert ids("") == [template, *reversed(faces)]  # newest first
    assert ids("?type=face") == list(reversed(faces))
    assert ids("?type=template") == [template]
    assert ids("?type=face&page=1&limit=2") == [faces[2], faces[1]]
    assert ids("?type=face&page=2&limit=2") == [faces[0]]
    assert ids("?type=face&page=3&limit=2") == []
    assert api.get("/api/assets?page=2&limit=10").json()["data"]["pagination"] == {"page": 2, "limit": 10}
    assert api.get("/api/assets").json()["data"]["pagination"] == {"page": 1, "limit": 20}
    assert len(ids("?limit=100")) == 4
    for query, field in [("?limit=101", "limit"), ("?limit=0", "limit"), ("?page=0", "page"),
                         ("?type=image", "type"), ("?page=x", "page")]:  # fmt: skip
        assert_error(api.get("/api/assets" + query), 422, "VALIDATION_ERROR", field)
    for hidden in (video.id, plain.id):
        assert_error(api.get(f"/api/assets/{hidden}"), 404, "NOT_FOUND")
        assert_error(api.delete(f"/api/assets/{hidden}"), 404, "NOT_FOUND")
    assert lib.get_asset(video.id).id == video.id


def test_same_assets_through_v2_and_purpose_in_the_library(
    v1_server: LiveServer, api: V1, images: dict[str, media.Sample]
) -> None:
    data = api.upload_json(images["jpg"].path.read_bytes(), "template", description="Moody").json()["data"]
    record = v1_server.library.get_asset(data["id"])
    assert (record.purpose, record.description) == ("template", "Moody")
    bearer = v1_server.library.create_token(api.username)
    v2 = api.session.get(
        f"{api.base_url}/api/v2/assets", headers={"Authorization": f"Bearer {bearer}"}, timeout=30
    )
    [listed] = [a for a in v2.json() if a["id"] == data["id"]]
    assert listed["type"] == "image" and listed["width"] == data["width"]
    # A purpose changed in the library (the desktop's details pane) shows in v1.
    v1_server.library.update_asset(data["id"], AssetChanges(purpose="face"))
    assert api.get(f"/api/assets/{data['id']}").json()["data"]["type"] == "face"
    assert [a["id"] for a in api.get("/api/assets?type=face").json()["data"]["assets"]] == [data["id"]]


def test_delete(v1_server: LiveServer, api: V1, images: dict[str, media.Sample]) -> None:
    data = api.upload_json(images["jpg"].path.read_bytes(), "face").json()["data"]
    record = v1_server.library.get_asset(data["id"])
    assert v1_server.library.stored_file(record) is not None
    response = api.delete(f"/api/assets/{data['id']}")
    assert response.status_code == 200
    assert response.json() == {"success": True, "data": {"message": "Asset deleted"}}
    assert v1_server.library.stored_file(record) is None
    assert_error(api.get(f"/api/assets/{data['id']}"), 404, "NOT_FOUND")
    assert_error(api.delete(f"/api/assets/{data['id']}"), 404, "NOT_FOUND")
    assert_error(api.get(data["url"]), 404, "NOT_FOUND")


def test_unknown_paths_and_methods_get_the_envelope(api: V1) -> None:
    assert_error(api.get("/api/assets/not-a-uuid"), 404, "NOT_FOUND", "Asset not found")
    assert_error(api.get("/api/assets/a/b/c"), 404, "NOT_FOUND")
    assert_error(api.request("PUT", "/api/assets"), 405, "METHOD_NOT_ALLOWED")
    assert_error(api.request("PATCH", "/api/persons"), 405, "METHOD_NOT_ALLOWED")
    # v2 keeps its own error shape.
    assert set(api.get("/api/v2/assets").json()) == {"detail"}


def test_file_url_serves_ranges_and_conditional_gets(api: V1, images: dict[str, media.Sample]) -> None:
    data = api.upload_json(images["png"].path.read_bytes(), "face").json()["data"]
    full = api.get(data["url"])
    assert full.headers["Content-Type"] == "image/png"
    assert full.headers["X-Content-Type-Options"] == "nosniff"
    part = api.get(data["url"], headers={"Range": "bytes=0-7"})
    assert part.status_code == 206 and part.content == full.content[:8]
    assert api.get(data["url"], headers={"If-None-Match": full.headers["ETag"]}).status_code == 304
    assert_error(api.get(data["url"], headers={"Range": "bytes=999999-"}), 416, "RANGE_NOT_SATISFIABLE")


def test_line_wrapped_base64(api: V1, images: dict[str, media.Sample]) -> None:
    """Line-wrapped base64 (as MIME encoders write it) is accepted too."""
    text = base64.encodebytes(images["jpg"].path.read_bytes()).decode()
    assert "\n" in text
    response = api.post("/api/assets", json={"base64": "data:image/jpeg;base64," + text, "type": "face"})
    assert response.status_code == 201
    assert response.json()["data"]["size"] == images["jpg"].path.stat().st_size
