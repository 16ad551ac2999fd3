"""OpenAPI descriptions of the error responses, so the document lists every status a route returns."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from app.api.schemas import ErrorDetail

_DESCRIPTIONS = {
    400: "Bad request: an invalid id, field or file ({\"detail\": reason})",
    401: "Missing, invalid or revoked Bearer token",
    403: "The asset belongs to another user",
    404: "No such object for this user",
    408: "The upload sent less than the server's minimum rate (the connection is closed)",
    409: "Conflicts with existing data (a duplicate name, a campaign of another client)",
    413: "The request body is too large",
    416: "The requested byte range is outside the file",
    422: "A parameter or JSON field does not match the schema",
    429: "Too many attempts or uploads at once; Retry-After says when to try again",
    503: "The server is at its limit of uploads; Retry-After says when to try again",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for the given error statuses, each an ErrorDetail body."""
    return {code: {"model": ErrorDetail, "description": _DESCRIPTIONS[code]} for code in codes}


# Every format Atelier stores, as served (app.core.formats.FORMAT_MIME).
_BINARY = {"schema": {"type": "string", "format": "binary"}}


def file_responses(media_types: list[str], *extra_errors: int) -> dict[int | str, dict[str, Any]]:
    """Documentation of a file download: 200, 206 (Range), 304 (conditional GET) and errors."""
    content = {m: _BINARY for m in media_types}
    headers = {
        "ETag": {"schema": {"type": "string"}, "description": "Strong validator of the file"},
        "Accept-Ranges": {"schema": {"type": "string"}, "description": "Always `bytes`"},
        "X-Content-Type-Options": {"schema": {"type": "string"}, "description": "`nosniff`"},
    }
    docs: dict[int | str, dict[str, Any]] = {
        200: {"description": "The file", "content": content, "headers": headers},
        206: {
            "description": "Part of the file (Range request); several ranges come as "
            "multipart/byteranges",
            "content": {**content, "multipart/byteranges": _BINARY},
        },
        304: {"description": "Not modified (If-None-Match / If-Modified-Since matched)"},
    }
    docs.update(errors(400, 401, 404, 416, *extra_errors))
    return docs


def use_error_detail_for_422(app: FastAPI) -> None:
    """FastAPI documents 422 as its list-shaped HTTPValidationError; errors.py answers every
    422 as {"detail": "..."}, so the document says so."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                response = operation.get("responses", {}).get("422")
                if response is not None and "HTTPValidationError" in str(response):
                    operation["responses"]["422"] = {
                        "description": _DESCRIPTIONS[422],
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ErrorDetail"}
                            }
                        },
                    }
        components = schema.get("components", {}).get("schemas", {})
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
