"""The campaign-rights-sync extension over HTTP: merged by client and campaign name, later edit wins."""

from __future__ import annotations

from tests.server.conftest import new_api
from tests.server.live import LiveServer

EARLY, LATE = "1700000000000.0000.aaaa", "1900000000000.0000.bbbb"
PATH = "/api/v2/campaign-rights-sync"


def _state(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {"client": "Acme", "campaign": "Spring", "editedAt": EARLY, "licence": None,
                               "source": None, "credit": None, "validFrom": None, "validUntil": None}
    return {**base, **kw}


def test_campaign_rights_sync_later_edit_wins(sqlite_server: LiveServer) -> None:
    api = new_api(sqlite_server, "camprights")
    other = new_api(sqlite_server, "campother")
    assert "campaign-rights-sync" in api.get("/api/v2/server-info").json()["extensions"]
    client = api.post("/api/v2/clients", json={"name": "Acme"}).json()
    spring = api.post("/api/v2/campaigns", json={"clientId": client["id"], "name": "Spring"}).json()
    assert api.post(PATH, json={"campaigns": []}).json() == {"campaigns": []}

    first = _state(client=" acme ", campaign="SPRING", licence="Editorial", validUntil="2031-01-31")
    r = api.post(PATH, json={"campaigns": [first]})
    assert r.status_code == 200, r.text
    [got] = r.json()["campaigns"]
    assert (got["client"], got["campaign"], got["licence"], got["editedAt"]) == ("Acme", "Spring", "Editorial", EARLY)
    assert got["validUntil"].startswith("2031-01-31T00:00:00")
    [stored] = sqlite_server.library.find.campaign_rights_state(api.user_id)
    assert stored.rights[0] == "Editorial" and spring["name"] == "Spring"

    # An older edit loses; a later one wins whole (a field it leaves out is cleared).
    stale = _state(editedAt="1600000000000.0000.cccc", licence="Old")
    assert api.post(PATH, json={"campaigns": [stale]}).json()["campaigns"][0]["licence"] == "Editorial"
    later = _state(editedAt=LATE, credit="Ana")
    [now] = api.post(PATH, json={"campaigns": [later]}).json()["campaigns"]
    assert (now["licence"], now["credit"], now["validUntil"], now["editedAt"]) == (None, "Ana", None, LATE)

    # Another user's campaign of the same names is not reached; an unknown campaign is left out.
    assert other.post(PATH, json={"campaigns": [_state(editedAt="later")]}).status_code == 422
    assert other.post(PATH, json={"campaigns": [_state(editedAt="1950000000000.0000.dddd")]}).json() == {"campaigns": []}
    assert api.post(PATH, json={"campaigns": []}).json()["campaigns"][0]["credit"] == "Ana"

    for body in ({"campaigns": "x"}, {"campaigns": [{"client": "Acme"}]},
                 {"campaigns": [_state(client="")]}, {"campaigns": [_state(licence="x" * 201)]}):
        bad = api.post(PATH, json=body)
        assert bad.status_code == 422 and isinstance(bad.json()["detail"], str), bad.text
    # A date that is no date, or until before from, is left out, never half applied.
    junk = [_state(editedAt="1990000000000.0000.eeee", validFrom="soon"),
            _state(editedAt="1990000000000.0000.eeee", validFrom="2030-01-02", validUntil="2030-01-01"),
            _state(editedAt="1990000000000.0000.eeee", licence="nul\u0000")]
    r = api.post(PATH, json={"campaigns": junk})
    assert r.status_code == 200 and r.json()["campaigns"][0]["credit"] == "Ana"
    assert api.post(PATH, json={"campaigns": [_state()] * 1001}).status_code == 422
