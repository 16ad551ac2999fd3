"""The /docs page (Swagger UI 5 from resources/, no CDN) and the small landing page at /."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from app.core.paths import resource_dir

STATIC_PREFIX = "/docs-static"

# Swagger UI is vendored from the npm registry's swagger-ui-dist, the Swagger project's own
# build, refreshed by packaging/vendor_swagger_ui.sh. Why not a PyPI package: swagger-ui-bundle's
# last release (1.1.0) carries Swagger UI 4.15, which refuses OpenAPI 3.1 ("Unable to render
# this definition"), and the one 5.x repackaging (swagger-ui-bundle-v2) is a single-release fork
# that installs over the same module name. Served from the program's own files, /docs works offline.
SWAGGER_UI_DIR = "swagger-ui"
BUNDLE = "swagger-ui-bundle.js"
_VERSION = re.compile(rb'PACKAGE_VERSION:"(\d+\.\d+\.\d+)"')


def swagger_ui_dir() -> Path:
    return resource_dir() / SWAGGER_UI_DIR


def bundle_version(script: bytes) -> str | None:
    """The Swagger UI version a swagger-ui-bundle.js says it is, if it says."""
    found = _VERSION.search(script)
    return found.group(1).decode() if found else None


def install(app: FastAPI) -> None:
    app.mount(STATIC_PREFIX, StaticFiles(directory=swagger_ui_dir()), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — documentation",
            swagger_js_url=f"{STATIC_PREFIX}/{BUNDLE}",
            swagger_css_url=f"{STATIC_PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_PREFIX}/favicon-32x32.png",
            # No badge: it would send the spec's URL to validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/", include_in_schema=False)
    def landing() -> HTMLResponse:
        return HTMLResponse(landing_html(app.title, app.version, app.openapi_url or "/openapi.json"))


def landing_html(title: str, version: str, openapi_url: str) -> str:
    """A page that says which server this is and where to go; every value escaped."""
    t, v, spec = html.escape(title), html.escape(version), html.escape(openapi_url, quote=True)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t}</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f6f6f4; color: #222; }}
main {{ max-width: 36rem; margin: 12vh auto; padding: 2rem 2.5rem; background: #fff;
       border-radius: 12px; box-shadow: 0 1px 4px rgba(0, 0, 0, .08); }}
h1 {{ font-size: 1.5rem; margin: 0 0 .25rem; }}
.version {{ color: #666; margin: 0 0 1.5rem; }}
ul {{ padding: 0; list-style: none; }}
li {{ margin: .6rem 0; }}
a {{ color: #2456c7; text-decoration: none; font-weight: 600; }}
a:hover {{ text-decoration: underline; }}
.note {{ color: #666; font-weight: normal; }}
</style></head>
<body><main>
<h1>{t}</h1>
<p class="version">Version {v}</p>
<ul>
<li><a href="/docs">API documentation</a> <span class="note">— every endpoint, try it in the page</span></li>
<li><a href="{spec}">OpenAPI document</a> <span class="note">— for client generators</span></li>
<li><a href="/api/v2/server-info">Server info</a> <span class="note">— what this server speaks</span></li>
</ul>
</main></body></html>
"""
