"""Build time: the .deb — the bundle in /opt/atelier, `atelier` on PATH, a menu entry with icons."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[2]))

from app import __app_name__, __version__  # noqa: E402

from linux import elfdeps  # noqa: E402

HERE = Path(__file__).resolve().parent
PACKAGE = "atelier"
INSTALL_DIR = Path("opt/atelier")
APP_ID = "app.atelier.Atelier"
DESKTOP_FILE = "atelier.desktop"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# Used when the dependencies cannot be worked out (no dpkg database): what Qt needs to draw.
FALLBACK_DEPENDS = (
    "libc6", "libegl1", "libgl1", "libfontconfig1", "libfreetype6", "libxkbcommon0",
    "libxkbcommon-x11-0", "libxcb-cursor0", "libdbus-1-3", "libglib2.0-0",
)  # fmt: skip
# Plugins that are optional: Qt skips them when their libraries are missing.
OPTIONAL_PLUGIN_DIRS = ("platformthemes", "wayland-", "egldeviceintegrations", "platforminputcontexts")
MAINTAINER = f"{__app_name__} packaging <packaging@atelier.app>"


def deb_arch(machine: str) -> str:
    try:
        return subprocess.run(
            ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {"x86_64": "amd64", "arm64": "arm64"}.get(machine, machine)


def build(bundle: Path, icons: Path, out: Path, machine: str) -> Path:
    """Lay out the package tree under out/deb/ and pack it; returns the .deb's path."""
    arch = deb_arch(machine)
    root = out / "deb" / f"{PACKAGE}_{__version__}_{arch}"
    if root.exists():
        shutil.rmtree(root)
    print(f"==> Laying out the .deb in {root}", flush=True)
    shutil.copytree(bundle, root / INSTALL_DIR, symlinks=True)
    usr = root / "usr"
    (usr / "bin").mkdir(parents=True)
    (usr / "bin" / "atelier").symlink_to(Path("/") / INSTALL_DIR / "atelier")
    share = usr / "share"
    _install(HERE / DESKTOP_FILE, share / "applications" / DESKTOP_FILE)
    for size in HICOLOR_SIZES:
        _install(icons / f"atelier-{size}.png", share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "atelier.png")
    _install(bundle / "_internal" / "resources" / "atelier.svg", share / "icons" / "hicolor" / "scalable" / "apps" / "atelier.svg")
    metainfo = (HERE / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    metainfo = metainfo.replace("@VERSION@", __version__).replace("@DATE@", release_date())
    target = share / "metainfo" / f"{APP_ID}.metainfo.xml"
    target.parent.mkdir(parents=True)
    target.write_text(metainfo, encoding="utf-8")
    _install_text(share / "doc" / PACKAGE / "copyright", f"{__app_name__} {__version__}\nProprietary; see the product's licence.\n")
    _normalize_modes(root)
    control = root / "DEBIAN"
    control.mkdir()
    (control / "control").write_text(control_text(root, arch, bundle), encoding="utf-8")
    (control / "md5sums").write_text(md5sums(root), encoding="utf-8")
    target_deb = out / f"{PACKAGE}_{__version__}_{arch}.deb"
    # gzip: every dpkg reads it, and it packs the few hundred MB far faster than xz.
    compression = os.environ.get("ATELIER_DEB_COMPRESSION", "gzip")
    level = [] if compression == "none" else ["-z6"]
    print(f"==> Packing {target_deb.name} ({compression})", flush=True)
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", f"-Z{compression}", *level, "--build", str(root), str(target_deb)],
        check=True,
    )
    print(f"==> {target_deb.name}: {target_deb.stat().st_size / 1_000_000:.0f} MB", flush=True)
    return target_deb


def release_date() -> str:
    """The build's date, or SOURCE_DATE_EPOCH's for a reproducible build."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    return when.date().isoformat()


def control_text(root: Path, arch: str, bundle: Path) -> str:
    size_kb = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()) // 1024
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {__version__}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {size_kb}\n"
        f"Depends: {', '.join(depends(bundle))}\n"
        "Section: graphics\n"
        "Priority: optional\n"
        "Description: asset manager for designers and agencies\n"
        " Atelier imports images, videos, audio and PDFs into a library on your\n"
        " computer, reads their metadata, makes thumbnails and files them under\n"
        " clients and campaigns. It also runs as an asset server and syncs with one.\n"
    )


def depends(bundle: Path) -> list[str]:
    """The Debian packages of the system libraries the bundle links against.

    PyInstaller leaves out libc, OpenGL/EGL and a few others on purpose (they must match
    the machine's drivers); whatever the bundle asks for and does not carry is a dependency.
    """
    carried = {p.name for p in bundle.rglob("*") if p.is_file() or p.is_symlink()}
    wanted: set[str] = set()
    for path in _elf_files(bundle):
        wanted.update(elfdeps.needed(path))
    located = _system_paths(sorted(wanted - carried))
    packages = _owners(located)
    return sorted(packages) if packages else list(FALLBACK_DEPENDS)


def _system_paths(sonames: list[str]) -> list[str]:
    try:
        listing = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    native = "x86-64" if platform.machine() == "x86_64" else platform.machine()
    found: dict[str, str] = {}
    for line in listing.splitlines():
        name, _, rest = line.strip().partition(" (")
        flags, _, target = rest.partition(") => ")
        if name in sonames and target and (name not in found or native.lower() in flags.lower()):
            found[name] = target.strip()
    return list(found.values())


def _owners(paths: list[str]) -> set[str]:
    """dpkg's package for each path; with a merged /usr a file may be registered under either name."""
    candidates: list[str] = []
    for path in paths:
        candidates.append(path)
        if path.startswith("/usr/lib/"):
            candidates.append(path[len("/usr"):])
        elif path.startswith("/lib/"):
            candidates.append("/usr" + path)
        candidates.append(os.path.realpath(path))
    if not candidates:
        return set()
    try:
        out = subprocess.run(["dpkg-query", "-S", *candidates], capture_output=True, text=True, check=False).stdout
    except OSError:
        return set()
    packages = set()
    for line in out.splitlines():
        owner, sep, _path = line.partition(": ")
        if sep and not line.startswith("diversion"):
            packages.update(name.split(":")[0] for name in owner.split(", "))
    return packages


def _elf_files(bundle: Path) -> list[Path]:
    found = []
    for path in bundle.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        if any(part.startswith(OPTIONAL_PLUGIN_DIRS) for part in path.parts):
            continue
        if elfdeps.is_elf(path):
            found.append(path)
    return found


def md5sums(root: Path) -> str:
    lines = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and "DEBIAN" not in path.relative_to(root).parts:
            digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
            lines.append(f"{digest}  {path.relative_to(root).as_posix()}")
    return "\n".join(lines) + "\n"


def _install(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _install_text(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def _normalize_modes(root: Path) -> None:
    """0755 for folders and programs, 0644 for everything else, whatever the umask was."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            executable = path.stat().st_mode & 0o111
            path.chmod(0o755 if executable else 0o644)
