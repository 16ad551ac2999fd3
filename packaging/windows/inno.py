"""Build time (Windows): compile atelier.iss with Inno Setup's iscc into the installer."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[2]))

from app import __version__  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_ISCC = (
    Path(os.environ.get("ProgramFiles(x86)", r"C:\Program Files (x86)")) / "Inno Setup 6" / "ISCC.exe",
    Path(os.environ.get("ProgramFiles", r"C:\Program Files")) / "Inno Setup 6" / "ISCC.exe",
)


def find_iscc() -> str:
    found = os.environ.get("ISCC") or shutil.which("iscc")
    if found:
        return found
    for candidate in DEFAULT_ISCC:
        if candidate.is_file():
            return str(candidate)
    raise FileNotFoundError("Inno Setup's ISCC.exe was not found; install Inno Setup 6 or set ISCC")


def numeric_version(version: str) -> str:
    """Windows' file versions are numbers only: "1.2.0rc1" becomes "1.2.0"."""
    match = re.match(r"\d+(?:\.\d+)*", version)
    numbers = match.group(0).split(".") if match else ["0"]
    return ".".join((numbers + ["0", "0"])[: max(3, min(4, len(numbers)))])


def build(bundle: Path, icons: Path, out: Path) -> Path:
    """Compile the installer into out; returns its path."""
    command = [
        find_iscc(),
        f"/DAppVersion={__version__}",
        f"/DNumericVersion={numeric_version(__version__)}",
        f"/DBundleDir={bundle}",
        f"/DOutputDir={out}",
        f"/DIconFile={icons / 'atelier.ico'}",
        str(HERE / "atelier.iss"),
    ]
    print("==> Compiling the Inno Setup installer", flush=True)
    subprocess.run(command, check=True)
    installer = out / f"atelier-{__version__}-windows-x64-setup.exe"
    if not installer.is_file():
        raise FileNotFoundError(f"iscc did not write {installer}")
    print(f"==> {installer.name}: {installer.stat().st_size / 1_000_000:.0f} MB", flush=True)
    return installer
