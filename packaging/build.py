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

DEFAULT_OUT = HERE / "out"


class Layout:
    """Where one build writes: staged externals, PyInstaller's work and dist, the installers."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.stage = out / "stage"
        self.dist = out / "dist"
        self.work = out / "build"
        self.icons = self.stage / "icons"

    def bundle_dir(self) -> Path:
        """The onedir folder (the .app's Contents/MacOS on macOS)."""
        if sys.platform == "darwin":
            return self.dist / f"{__app_name__}.app" / "Contents" / "MacOS"
        return self.dist / __app_name__

    def console_exe(self) -> Path:
        name = "atelier" if sys.platform.startswith("linux") else "atelier-cli"
        return self.bundle_dir() / (name + (".exe" if sys.platform == "win32" else ""))


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def arch() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)


def prepare(layout: Layout) -> externals.Externals:
    """Stage the externals and the icons the spec reads."""
    say("Staging ffmpeg, ffprobe and libmagic")
    staged = externals.stage(layout.stage)
    for path in (*staged.tools, staged.libmagic, staged.magic_db):
        print(f"    {path.relative_to(layout.stage)}")
    say("Rendering the icons")
    # Qt draws the SVG without a display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    pngs = icons.render_pngs(ROOT / "resources" / "atelier.svg", layout.icons)
    icons.write_ico(pngs[1024], layout.icons / "atelier.ico")
    if sys.platform == "win32":
        (layout.stage / "version_info.txt").write_text(windows_version_info(), encoding="utf-8")
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


def run_pyinstaller(layout: Layout, staged: externals.Externals, clean: bool) -> None:
    say("Running PyInstaller (this takes a few minutes)")
    env = dict(os.environ, ATELIER_STAGE=str(layout.stage))
    if sys.platform == "win32":
        # The copies' DLL dependencies are searched on PATH; put the originals' folders first.
        env["PATH"] = os.pathsep.join([*map(str, staged.source_dirs), env.get("PATH", "")])
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
        "--distpath", str(layout.dist), "--workpath", str(layout.work), str(HERE / "atelier.spec"),
    ]  # fmt: skip
    if clean:
        command.insert(3, "--clean")
    started = time.monotonic()
    subprocess.run(command, check=True, env=env, cwd=ROOT)
    bundle = layout.bundle_dir()
    say(f"Bundle ready in {time.monotonic() - started:.0f} s: {bundle} ({size_mb(bundle):.0f} MB)")


def size_mb(path: Path) -> float:
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return total / 1_000_000


def make_tar(layout: Layout) -> Path:
    target = layout.out / f"atelier-{__version__}-linux-{arch()}.tar.gz"
    say(f"Writing {target.name}")
    with tarfile.open(target, "w:gz", compresslevel=6) as tar:
        tar.add(layout.bundle_dir(), arcname=f"atelier-{__version__}")
    say(f"{target.name}: {target.stat().st_size / 1_000_000:.0f} MB")
    return target


def self_test(layout: Layout) -> None:
    say("Running the bundle's --self-test")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([str(layout.console_exe()), "--self-test"], env=env, timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"The bundle's self-test failed (exit code {result.returncode})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tar", action="store_true", help="Linux: the bundle as a .tar.gz")
    parser.add_argument("--deb", action="store_true", help="Linux: a .deb package")
    parser.add_argument("--dmg", action="store_true", help="macOS: a .dmg disk image")
    parser.add_argument("--installer", action="store_true", help="Windows: an Inno Setup installer")
    parser.add_argument("--self-test", action="store_true", help="run the built bundle's self-test")
    parser.add_argument("--skip-bundle", action="store_true", help="reuse the bundle already in the output folder")
    parser.add_argument("--clean", action="store_true", help="drop PyInstaller's cache first")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default packaging/out)")
    args = parser.parse_args(argv)
    layout = Layout(args.out.resolve())
    linux = sys.platform.startswith("linux")
    for flag, ok, where in (("tar", linux, "Linux"), ("deb", linux, "Linux"),
                            ("dmg", sys.platform == "darwin", "macOS"),
                            ("installer", sys.platform == "win32", "Windows")):  # fmt: skip
        if getattr(args, flag) and not ok:
            parser.error(f"--{flag} can only be built on {where}")
    layout.out.mkdir(parents=True, exist_ok=True)
    try:
        if not args.skip_bundle:
            run_pyinstaller(layout, prepare(layout), args.clean)
        elif not layout.console_exe().is_file():
            parser.error(f"--skip-bundle: there is no bundle at {layout.bundle_dir()}")
        if args.self_test:
            self_test(layout)
        if args.tar:
            make_tar(layout)
        if args.deb:
            from linux import deb

            deb.build(layout.bundle_dir(), layout.icons, layout.out, arch())
        if args.dmg:
            dmg_script = HERE / "macos" / "make_dmg.sh"
            subprocess.run(["bash", str(dmg_script), str(layout.dist), __version__, str(layout.out)], check=True)
        if args.installer:
            from windows import inno

            inno.build(layout.bundle_dir(), layout.icons, layout.out)
    except externals.MissingExternal as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"build: error: {Path(exc.cmd[0]).name} failed with exit code {exc.returncode}", file=sys.stderr)
        return 1
    except subprocess.TimeoutExpired as exc:
        print(f"build: error: {Path(str(exc.cmd[0])).name} did not finish in {exc.timeout:g} s", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
