"""Bad query parameters and fields on the share pages: the page itself with a one-line reason, never raw JSON."""

from __future__ import annotations

from typing import Any

import pytest

from tests import media
from tests.server.conftest import new_api
from tests.server.live import LiveServer
from tests.server.sharing import Visitor, create_link, make_campaign


@pytest.fixture(scope="module")
def grid(sqlite_server: LiveServer, samples: dict[str, media.Sample]) -> tuple[Any, Visitor]:
    api = new_api(sqlite_server)
    c = make_campaign(api, samples, keys=("jpg", "png", "mp3"))
    _, token = create_link(api, campaignId=c.spring_id)
    return api, Visitor(sqlite_server.base_url, token)


def _page_with_reason(r: Any, reason: str) -> None:
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html"), r.headers
    assert 'role="alert"' in r.text and reason in r.text, r.text[:2000]
    assert 'id="grid"' in r.text  # still the grid, all of it, to go on from
    assert r.text.count('class="card"') == 3
    assert "Traceback" not in r.text and '"detail"' not in r.text


def test_search_text_over_200_characters_is_the_page_with_a_reason(grid: tuple[Any, Visitor]) -> None:
    _, v = grid
    _page_with_reason(v.get(params={"q": "x" * 201}), "A search is at most 200 characters")
    assert v.get(params={"q": "x" * 200}).status_code == 200  # the limit itself is fine


@pytest.mark.parametrize("value", ["spreadsheet", "x" * 500, "IMAGE ", "<script>"])
def test_an_unknown_type_filter_is_the_page_with_a_reason(grid: tuple[Any, Visitor], value: str) -> None:
    _, v = grid
    r = v.get(params={"type": value})
    _page_with_reason(r, "There is no such type to show")
    assert "<script>" not in r.text


@pytest.mark.parametrize("params", [{"page": "abc"}, {"page": "-1"}, {"page": "99999999999999999999"},
                                    {"limit": "x"}, {"q": ""}, {"type": ""}])
def test_other_query_parameters_are_ignored_not_refused(grid: tuple[Any, Visitor], params: dict[str, str]) -> None:
    _, v = grid
    r = v.get(params=params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.text.count('class="card"') == 3


def test_an_over_long_password_is_the_password_page_with_a_reason(
        sqlite_server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(sqlite_server)
    c = make_campaign(api, samples, keys=("jpg",))
    _, token = create_link(api, campaignId=c.spring_id, password="blue whale 42")
    v = Visitor(sqlite_server.base_url, token)
    v.get()
    r = v.post("/unlock", data={"password": "p" * 5000, "csrf": v.csrf})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html"), r.text[:300]
    assert "A password is at most 1024 characters" in r.text and 'id="password"' in r.text
    for csrf in ("c" * 5000, "é"):
        r = v.post("/unlock", data={"password": "x", "csrf": csrf})
        assert r.status_code == 403 and r.headers["content-type"].startswith("text/html"), r.text[:300]
        assert "security token" in r.text
    assert v.unlock("blue whale 42").status_code == 303  # the long one was not counted as a guess


@pytest.mark.parametrize("query", ["after=abc", "after=-1", "after=99999999999", "limit=0", "limit=x"])
def test_the_review_feed_answers_its_documented_error(grid: tuple[Any, Visitor], query: str) -> None:
    api, _ = grid
    r = api.get(f"/api/v2/reviews?{query}")
    assert r.status_code == 422 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert list(body) == ["detail"] and body["detail"].startswith("Invalid request: ")


def test_the_reason_in_a_real_browser(grid: tuple[Any, Visitor], browser: Any) -> None:
    from selenium.webdriver.common.by import By

    from tests.browser import shoot

    _, v = grid
    browser.get(v.url() + "?q=" + "x" * 300)
    notice = browser.find_element(By.ID, "notice")
    assert notice.text == "A search is at most 200 characters: showing everything."
    assert len(browser.find_elements(By.CSS_SELECTOR, "#grid .card")) == 3
    assert browser.find_element(By.ID, "search").get_attribute("maxlength") == "200"
    shoot(browser, "share-long-search")
