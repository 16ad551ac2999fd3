"""OpenAPI descriptions of v1 error responses (the envelope) and of the files v1 urls serve."""

from __future__ import annotations

from typing import Any

from app.api.v1 import V1_MIME_TYPES, V1Failure

_DESCRIPTIONS = {
    400: "Bad request: an invalid body, base64 data or file (the envelope says why)",
    401: "Missing, invalid or revoked x-api-key",
    404: "No such object for this key's user",
    413: "The request body is too large",
    415: "The body is neither JSON nor multipart/form-data",
    416: "The requested byte range is outside the file",
    422: "A parameter or field does not match the schema",
}


def v1_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for the given statuses, each a {success: false, error} envelope."""
    return {code: {"model": V1Failure, "description": _DESCRIPTIONS[code]} for code in codes}


_BINARY = {"schema": {"type": "string", "format": "binary"}}
_IMAGES = {m: _BINARY for m in V1_MIME_TYPES}



def image_file(*error_codes: int) -> dict[int | str, dict[str, Any]]:
    """Documentation of an image download: 200, 206 (Range), 304 (conditional GET) and errors."""
    return {
        200: {"description": "The image", "content": _IMAGES},
        206: {
            "description": "Part of the image (Range request)",
            "content": {**_IMAGES, "multipart/byteranges": _BINARY},
        },
        304: {"description": "Not modified (If-None-Match / If-Modified-Since matched)"},
        **v1_errors(*error_codes),
    }
