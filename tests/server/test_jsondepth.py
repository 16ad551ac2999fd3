"""The JSON depth scanner agrees with a real parse, however the text is split into pieces."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.server.jsondepth import DepthScanner, JsonTooDeep, check_depth

LIMIT = 4

_leaves = st.none() | st.booleans() | st.integers() | st.text(alphabet='ab[]{}"\\ ', max_size=6)
_values = st.recursive(
    _leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='k[{"\\', max_size=3), inner, max_size=3),
    max_leaves=12,
)


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(value=_values, cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=5))
def test_the_scanner_refuses_exactly_what_nests_too_deep(value: object, cuts: list[int]) -> None:
    text = json.dumps(value).encode()
    scanner = DepthScanner(LIMIT)
    points = sorted({0, len(text), *(c for c in cuts if c < len(text))})
    too_deep = _depth(value) > LIMIT
    try:
        for start, end in zip(points, points[1:]):
            scanner.feed(text[start:end])
    except JsonTooDeep:
        assert too_deep, text
    else:
        assert not too_deep, text


def test_a_thousand_brackets_are_refused_without_recursion() -> None:
    with pytest.raises(JsonTooDeep):
        check_depth(b"[" * 1000)
    check_depth(json.dumps(["[" * 1000, {"a": "{" * 1000}]).encode())  # inside strings: fine
