"""Build time: find the programs and libraries the bundle carries that pip does not install.

ffmpeg/ffprobe come from PATH (or ATELIER_FFMPEG_DIR), libmagic from wherever python-magic
loads it (or ATELIER_LIBMAGIC) and its compiled database from beside it (or
ATELIER_MAGIC_DB). Each is copied into a staging folder under the name the frozen
program looks for, so the spec only lists files.
"""

from __future__ import annotations

import ctypes.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""


class MissingExternal(RuntimeError):
    """Something the bundle must carry is not on this machine."""


@dataclass(frozen=True)
class Externals:
    """Staged copies: tools go to bin/, the library beside the bundle's other libraries."""

    tools: tuple[Path, ...]
    libmagic: Path
    magic_db: Path
    # Where the originals live: a shared ffmpeg build keeps its DLLs beside it, and the
    # dependency analysis of the copies must be able to find them there.
    source_dirs: tuple[Path, ...]


def find_tool(name: str) -> Path:
    folder = os.environ.get("ATELIER_FFMPEG_DIR")
    found = str(Path(folder) / (name + EXE_SUFFIX)) if folder else shutil.which(name)
    if not found or not Path(found).is_file():
        where = f"in ATELIER_FFMPEG_DIR={folder}" if folder else "on PATH"
        raise MissingExternal(f"{name} was not found {where}; install ffmpeg first")
    path = Path(found).resolve()
    if path.parent.name.lower() == "bin" and path.parent.parent.name.lower() == "chocolatey":
        # Chocolatey puts small launcher shims on PATH; a shim copied into a bundle runs nothing.
        raise MissingExternal(f"{path} is a Chocolatey shim; set ATELIER_FFMPEG_DIR to ffmpeg's real bin folder")
    return path


def find_libmagic() -> Path:
    env = os.environ.get("ATELIER_LIBMAGIC")
    if env:
        return _existing(Path(env), "ATELIER_LIBMAGIC")
    try:
        from magic import loader
    except ImportError as exc:
        raise MissingExternal(f"python-magic cannot load libmagic: {exc}") from None
    lib = loader.load_lib()
    name = getattr(lib, "_name", "") or ""
    if os.path.isabs(name) and os.path.isfile(name):
        return Path(name).resolve()
    if sys.platform.startswith("linux"):
        # The loader gives a soname; the process's own map says which file that became.
        for line in Path("/proc/self/maps").read_text().splitlines():
            path = line.split()[-1]
            if "/libmagic.so" in path and os.path.isfile(path):
                return Path(path).resolve()
    found = ctypes.util.find_library("magic") or ctypes.util.find_library("libmagic-1")
    if found and os.path.isfile(found):
        return Path(found).resolve()
    raise MissingExternal("libmagic was found by python-magic but its file could not be located; set ATELIER_LIBMAGIC")


def find_magic_db(libmagic: Path) -> Path:
    env = os.environ.get("ATELIER_MAGIC_DB")
    if env:
        return _existing(Path(env), "ATELIER_MAGIC_DB")
    prefix = libmagic.parent.parent
    candidates = [
        prefix / "share" / "misc" / "magic.mgc",  # Homebrew, MSYS2, /usr/local builds
        prefix.parent / "share" / "misc" / "magic.mgc",  # Debian's lib/<triplet>/
        Path("/usr/share/misc/magic.mgc"),
        Path("/usr/lib/file/magic.mgc"),
        Path("/usr/share/file/magic.mgc"),
        Path("/opt/homebrew/share/misc/magic.mgc"),
        Path("/usr/local/share/misc/magic.mgc"),
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    raise MissingExternal("libmagic's database (magic.mgc) was not found; set ATELIER_MAGIC_DB")


def libmagic_bundle_name(source: Path) -> str:
    """The file name python-magic's loader asks for on this OS (it searches the bundle first)."""
    if sys.platform == "darwin":
        return "libmagic.dylib"
    if sys.platform == "win32":
        return source.name if source.name.lower().startswith(("libmagic", "magic1")) else "libmagic-1.dll"
    return "libmagic.so.1"


def stage(dest: Path) -> Externals:
    """Copy every external into dest (emptied first) and say where each copy is."""
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "bin").mkdir(parents=True)
    (dest / "lib").mkdir()
    (dest / "magic").mkdir()
    tools = []
    sources = []
    for name in ("ffmpeg", "ffprobe"):
        source = find_tool(name)
        target = dest / "bin" / (name + EXE_SUFFIX)
        shutil.copy2(source, target)
        tools.append(target)
        sources.append(source.parent)
    lib_source = find_libmagic()
    sources.append(lib_source.parent)
    libmagic = dest / "lib" / libmagic_bundle_name(lib_source)
    shutil.copy2(lib_source, libmagic)
    magic_db = dest / "magic" / "magic.mgc"
    shutil.copy2(find_magic_db(lib_source), magic_db)
    return Externals(
        tools=tuple(tools), libmagic=libmagic, magic_db=magic_db, source_dirs=tuple(dict.fromkeys(sources))
    )


def _existing(path: Path, what: str) -> Path:
    if not path.is_file():
        raise MissingExternal(f"{what} points at {path}, which is not a file")
    return path.resolve()
