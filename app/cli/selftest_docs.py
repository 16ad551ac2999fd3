"""The self-test's look at /docs: the page as a headless browser renders it, or its files if none."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urljoin
from urllib.request import urlopen

RENDER_TIMEOUT = 90.0
# Swagger UI's own words when it cannot read the document (4.x says it of every OpenAPI 3.1).
REFUSAL = "Unable to render this definition"
_OPERATION = re.compile(r'class="opblock opblock-(?:get|post|put|patch|delete|head|options)\b')
_VERSION = re.compile(rb'PACKAGE_VERSION:"(\d+)\.(\d+)\.(\d+)"')
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "msedge")
_MAC_APPS = (
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)
# Headless, a throwaway profile, and nothing but the page's own requests to 127.0.0.1.
_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--virtual-time-budget=30000",
)  # fmt: skip


class DocsCheckFailed(Exception):
    """What is wrong with /docs, in one line."""


def find_browser(configured: str | None = None) -> str | None:
    """A Chromium-family browser: the configured one (ATELIER_CHROMIUM), one on PATH, or macOS's usual apps."""
    if configured:
        return configured if Path(configured).exists() else None
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    if sys.platform == "darwin":
        return next((app for app in _MAC_APPS if Path(app).exists()), None)
    return None


def check_docs_page(base_url: str, browser: str | None) -> str:
    """Raises DocsCheckFailed unless /docs serves a Swagger UI that renders this server's API."""
    docs_url = f"{base_url}/docs"
    page = _get(docs_url).decode("utf-8", "replace")
    scripts = re.findall(r'src="([^"]+\.js)"', page)
    if not scripts:
        raise DocsCheckFailed("the /docs page loads no script")
    version = None
    for script in scripts:
        body = _get(urljoin(docs_url, script))
        if not body:
            raise DocsCheckFailed(f"the /docs page's {script} is empty")
        version = version or _VERSION.search(body)
    if version is None:
        raise DocsCheckFailed("the /docs page's script is not a Swagger UI bundle")
    named = ".".join(v.decode() for v in version.groups())
    openapi = str(json.loads(_get(f"{base_url}/openapi.json")).get("openapi", ""))
    if openapi.startswith("3.1") and int(version.group(1)) < 5:
        raise DocsCheckFailed(f"/docs serves Swagger UI {named}, which cannot read OpenAPI {openapi}")
    if browser is None:
        return f"/docs not rendered: no browser (serves Swagger UI {named} for OpenAPI {openapi})"
    count = rendered_operations(render(browser, docs_url))
    return f"/docs rendered {count} operations in {Path(browser).name} (Swagger UI {named})"


def rendered_operations(dom: str) -> int:
    """How many operations a rendered Swagger UI page lists; raises if it shows none."""
    if REFUSAL in dom:
        raise DocsCheckFailed(f"/docs says {REFUSAL!r}")
    count = len(_OPERATION.findall(dom))
    if count == 0:
        raise DocsCheckFailed("/docs rendered no operation")
    return count


def render(browser: str, url: str) -> str:
    """The page's DOM once its scripts ran (`--dump-dom`), from a throwaway profile."""
    with tempfile.TemporaryDirectory(prefix="atelier-browser-", ignore_cleanup_errors=True) as profile:
        try:
            done = subprocess.run(
                [browser, *_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
                stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8",
                errors="replace", timeout=RENDER_TIMEOUT,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise DocsCheckFailed(f"{Path(browser).name} did not render /docs in {RENDER_TIMEOUT:.0f} s") from None
        except OSError as exc:
            raise DocsCheckFailed(f"{browser} could not be started: {exc.strerror or exc}") from None
    if done.returncode != 0 or not done.stdout.strip():
        raise DocsCheckFailed(f"{Path(browser).name} could not render /docs (exit {done.returncode})")
    return done.stdout


def _get(url: str) -> bytes:
    try:
        with urlopen(url, timeout=30) as response:  # noqa: S310 (a local http:// address)
            return bytes(response.read())
    except OSError as exc:  # HTTPError and URLError are OSErrors
        raise DocsCheckFailed(f"GET {url} failed: {exc}") from None
