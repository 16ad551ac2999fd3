"""Build Atelier's bundle and installers into packaging/out/.

    python packaging/build.py                 the onedir bundle (packaging/out/dist/Atelier)
    python packaging/build.py --tar --deb     ... plus the Linux .tar.gz and .deb
    python packaging/build.py --self-test     ... then run the bundle's own --self-test
    python packaging/build.py --dmg           macOS: the .dmg (signed/notarised when credentials are set)
    python packaging/build.py --installer     Windows: the Inno Setup installer (needs iscc)
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.append(str(ROOT))
sys.path.insert(0, str(HERE))

import externals  # noqa: E402
import icons  # noqa: E402

from app import __app_name__, __version__  # noqa: E402

OUT = HERE / "out"
STAGE = OUT / "stage"
DIST = OUT / "dist"
WORK = OUT / "build"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def arch() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)


def bundle_dir() -> Path:
    """The onedir folder (inside the .app on macOS)."""
    if sys.platform == "darwin":
        return DIST / f"{__app_name__}.app" / "Contents" / "MacOS"
    return DIST / __app_name__


def console_exe() -> Path:
    name = "atelier" if sys.platform.startswith("linux") else "atelier-cli"
    return bundle_dir() / (name + (".exe" if sys.platform == "win32" else ""))


def prepare() -> externals.Externals:
    """Stage the externals and the icons the spec reads."""
    say("Staging ffmpeg, ffprobe and libmagic")
    staged = externals.stage(STAGE)
    for path in (*staged.tools, staged.libmagic, staged.magic_db):
        print(f"    {path.relative_to(STAGE)}")
    say("Rendering the icons")
    # Qt draws the SVG without a display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    pngs = icons.render_pngs(ROOT / "resources" / "atelier.svg", STAGE / "icons")
    icons.write_ico(pngs[1024], STAGE / "icons" / "atelier.ico")
    if sys.platform == "win32":
        (STAGE / "version_info.txt").write_text(windows_version_info(), encoding="utf-8")
    return staged


def windows_version_info() -> str:
    """The version resource Explorer shows in the executables' properties."""
    parts = [int(p) for p in __version__.split(".")[:3] if p.isdigit()]
    numbers = tuple((parts + [0, 0, 0, 0])[:4])
    fields = {
        "CompanyName": __app_name__,
        "FileDescription": f"{__app_name__} asset manager",
        "FileVersion": __version__,
        "ProductName": __app_name__,
        "ProductVersion": __version__,
    }
    strings = ",\n".join(f"          StringStruct('{k}', '{v}')" for k, v in fields.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}),
  kids=[
    StringFileInfo([StringTable('040904B0', [
{strings}
    ])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


def run_pyinstaller(staged: externals.Externals, clean: bool) -> None:
    say("Running PyInstaller (this takes a few minutes)")
    env = dict(os.environ, ATELIER_STAGE=str(STAGE))
    if sys.platform == "win32":
        # The copies' DLL dependencies are searched on PATH; put the originals' folders first.
        env["PATH"] = os.pathsep.join([*map(str, staged.source_dirs), env.get("PATH", "")])
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
        "--distpath", str(DIST), "--workpath", str(WORK), str(HERE / "atelier.spec"),
    ]  # fmt: skip
    if clean:
        command.insert(3, "--clean")
    started = time.monotonic()
    subprocess.run(command, check=True, env=env, cwd=ROOT)
    say(f"Bundle ready in {time.monotonic() - started:.0f} s: {bundle_dir()} ({size_mb(bundle_dir()):.0f} MB)")


def size_mb(path: Path) -> float:
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return total / 1_000_000


def make_tar() -> Path:
    target = OUT / f"atelier-{__version__}-linux-{arch()}.tar.gz"
    say(f"Writing {target.name}")
    with tarfile.open(target, "w:gz", compresslevel=6) as tar:
        tar.add(bundle_dir(), arcname=f"atelier-{__version__}")
    say(f"{target.name}: {target.stat().st_size / 1_000_000:.0f} MB")
    return target


def self_test() -> None:
    say("Running the bundle's --self-test")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([str(console_exe()), "--self-test"], env=env, timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"The bundle's self-test failed (exit code {result.returncode})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tar", action="store_true", help="Linux: the bundle as a .tar.gz")
    parser.add_argument("--deb", action="store_true", help="Linux: a .deb package")
    parser.add_argument("--dmg", action="store_true", help="macOS: a .dmg disk image")
    parser.add_argument("--installer", action="store_true", help="Windows: an Inno Setup installer")
    parser.add_argument("--self-test", action="store_true", help="run the built bundle's self-test")
    parser.add_argument("--skip-bundle", action="store_true", help="reuse packaging/out/dist as it is")
    parser.add_argument("--clean", action="store_true", help="drop PyInstaller's cache first")
    args = parser.parse_args(argv)
    linux = sys.platform.startswith("linux")
    for flag, ok, where in (("tar", linux, "Linux"), ("deb", linux, "Linux"),
                            ("dmg", sys.platform == "darwin", "macOS"),
                            ("installer", sys.platform == "win32", "Windows")):  # fmt: skip
        if getattr(args, flag) and not ok:
            parser.error(f"--{flag} can only be built on {where}")
    OUT.mkdir(exist_ok=True)
    try:
        if not args.skip_bundle:
            run_pyinstaller(prepare(), args.clean)
        elif not console_exe().is_file():
            parser.error(f"--skip-bundle: there is no bundle at {bundle_dir()}")
        if args.self_test:
            self_test()
        if args.tar:
            make_tar()
        if args.deb:
            from linux import deb

            deb.build(bundle_dir(), STAGE / "icons", OUT, arch())
        if args.dmg:
            subprocess.run(["bash", str(HERE / "macos" / "make_dmg.sh"), str(DIST), __version__], check=True)
        if args.installer:
            from windows import inno

            inno.build(bundle_dir(), STAGE / "icons", OUT)
    except externals.MissingExternal as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"build: error: {exc.cmd[0]} failed with exit code {exc.returncode}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
