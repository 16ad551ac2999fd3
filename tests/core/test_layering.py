"""app.core stays framework-free: importing all of it loads no GUI, web or SQL package."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("PySide6", "fastapi", "starlette", "sqlalchemy", "requests", "pydantic", "numpy")


def test_core_imports_no_frameworks() -> None:
    code = (
        "import sys, pkgutil, importlib, app.core\n"
        "for m in pkgutil.iter_modules(app.core.__path__):\n"
        "    importlib.import_module('app.core.' + m.name)\n"
        f"print(sorted({{n.split('.')[0] for n in sys.modules}} & set({FORBIDDEN!r})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
