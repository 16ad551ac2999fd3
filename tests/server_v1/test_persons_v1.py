"""The minimal /api/persons the document's example needs: create from face assets, list, get, delete."""

from __future__ import annotations

from tests import media
from tests.server.live import LiveServer
from tests.server_v1.conftest import V1, assert_error, new_v1


def test_persons_lifecycle(v1_server: LiveServer, api: V1, images: dict[str, media.Sample]) -> None:
    faces = [
        api.upload_json(images[k].path.read_bytes(), "face").json()["data"]["id"]
        for k in ("jpg", "jpg2")
    ]
    template = api.upload_json(images["png"].path.read_bytes(), "template").json()["data"]["id"]
    created = api.post("/api/persons", json={"name": "Ann Lee", "imageIds": faces})
    assert created.status_code == 201, created.text
    person = created.json()["data"]
    assert set(person) == {"id", "name", "imageIds", "createdAt", "updatedAt"}
    assert person["name"] == "Ann Lee" and person["imageIds"] == faces
    assert api.get(f"/api/persons/{person['id']}").json() == {"success": True, "data": person}
    listing = api.get("/api/persons").json()["data"]
    assert listing == {"persons": [person], "pagination": {"page": 1, "limit": 20}}
    # Only the caller's face assets make a person.
    other = new_v1(v1_server)
    theirs = other.upload_json(images["jpg"].path.read_bytes(), "face").json()["data"]["id"]
    for bad in ([template], [theirs], ["nope"]):
        assert_error(
            api.post("/api/persons", json={"name": "Bob", "imageIds": bad}),
            400,
            "INVALID_INPUT",
            "not one of your face assets",
        )
    invalid = [
        ({"imageIds": faces}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x", "imageIds": "a"}, "imageIds"),
    ]
    for body, field in invalid:
        assert_error(api.post("/api/persons", json=body), 422, "VALIDATION_ERROR", field)
    broken = api.post("/api/persons", data=b"{", headers={"Content-Type": "application/json"})
    assert_error(broken, 422, "VALIDATION_ERROR")
    # Another user sees none of it.
    assert other.get("/api/persons").json()["data"]["persons"] == []
    assert_error(other.get(f"/api/persons/{person['id']}"), 404, "NOT_FOUND", "Person not found")
    assert_error(other.delete(f"/api/persons/{person['id']}"), 404, "NOT_FOUND")
    # A deleted face leaves the person; deleting the person keeps the other face.
    assert api.delete(f"/api/assets/{faces[0]}").status_code == 200
    assert api.get(f"/api/persons/{person['id']}").json()["data"]["imageIds"] == [faces[1]]
    deleted = api.delete(f"/api/persons/{person['id']}")
    assert deleted.json() == {"success": True, "data": {"message": "Person deleted"}}
    assert_error(api.get(f"/api/persons/{person['id']}"), 404, "NOT_FOUND")
    assert api.get(f"/api/assets/{faces[1]}").status_code == 200
    assert_error(api.get("/api/persons?limit=101"), 422, "VALIDATION_ERROR", "limit")
