"""A small, good-looking library of every asset type, for the window tests and their screenshots."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from app.library.records import AssetChanges
from app.library.service import LibraryService
from tests.media import ffmpeg


def _gradient(size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    w, h = size
    column = Image.new("RGB", (1, h))
    for y in range(h):
        t = y / max(1, h - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))  # type: ignore[arg-type]
    return column.resize((w, h))


def hero(path: Path) -> None:
    im = _gradient((1600, 1000), (38, 32, 120), (236, 96, 120))
    d = ImageDraw.Draw(im)
    d.ellipse([980, 160, 1400, 580], fill=(255, 196, 92))
    for i, y in enumerate(range(640, 1000, 60)):
        d.polygon([(0, y + 90), (400 + i * 90, y - 40), (1600, y + 120), (1600, 1000), (0, 1000)],
                  fill=(30 + i * 12, 22 + i * 6, 70 + i * 10))
    im.save(path, "JPEG", quality=88)


def logo(path: Path) -> None:
    im = Image.new("RGBA", (800, 800), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle([120, 120, 680, 680], 150, fill=(91, 76, 240, 255))
    d.ellipse([250, 250, 550, 550], fill=(255, 255, 255, 255))
    d.ellipse([330, 330, 470, 470], fill=(255, 120, 150, 255))
    im.save(path, "PNG")


def poster(path: Path) -> None:
    im = _gradient((900, 1200), (255, 214, 102), (255, 120, 84))
    d = ImageDraw.Draw(im)
    for i in range(7):
        r = 420 - i * 55
        d.ellipse([450 - r, 560 - r, 450 + r, 560 + r], outline=(255, 255, 255), width=10)
    d.rectangle([90, 1020, 810, 1060], fill=(60, 30, 30))
    im.save(path, "WEBP", quality=85)


def moodboard(path: Path) -> None:
    im = Image.new("RGB", (1200, 900), (245, 240, 232))
    d = ImageDraw.Draw(im)
    swatches = [(46, 64, 87), (84, 140, 168), (232, 195, 158), (219, 84, 97), (140, 180, 120), (250, 210, 90)]
    for i, color in enumerate(swatches):
        x, y = 60 + (i % 3) * 370, 60 + (i // 3) * 410
        d.rounded_rectangle([x, y, x + 330, y + 370], 28, fill=color)
    im = im.filter(ImageFilter.GaussianBlur(0.6))
    im.save(path, "JPEG", quality=90)


def sticker(path: Path) -> None:
    frames = []
    for n in range(8):
        im = Image.new("RGB", (400, 400), (24, 24, 32))
        d = ImageDraw.Draw(im)
        angle = n / 8 * 2 * math.pi
        for k in range(6):
            a = angle + k * math.pi / 3
            x, y = 200 + 120 * math.cos(a), 200 + 120 * math.sin(a)
            d.ellipse([x - 34, y - 34, x + 34, y + 34], fill=(120 + k * 20, 90 + k * 25, 240 - k * 20))
        frames.append(im)
    frames[0].save(path, "GIF", save_all=True, append_images=frames[1:], duration=90, loop=0)


def brochure(path: Path, pages: int = 4) -> None:
    sheets = []
    for n in range(pages):
        im = Image.new("RGB", (612, 792), (255, 255, 255))
        d = ImageDraw.Draw(im)
        d.rectangle([0, 0, 612, 300], fill=(91, 76, 240) if n % 2 == 0 else (236, 96, 120))
        d.rectangle([60, 350, 552, 372], fill=(30, 30, 40))
        for k in range(8):
            d.rectangle([60, 410 + k * 36, 552 - (k % 3) * 90, 422 + k * 36], fill=(190, 190, 200))
        sheets.append(im)
    sheets[0].save(path, "PDF", resolution=72.0, save_all=True, append_images=sheets[1:])


def video(path: Path, fmt: str, seconds: float = 2.0) -> None:
    ffmpeg(
        "-f", "lavfi", "-i", f"gradients=s=640x360:d={seconds}:speed=0.03:n=3:seed=7",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", fmt, str(path),
    )  # fmt: skip


@dataclass(frozen=True)
class Showcase:
    """Names of what showcase_library() filed where."""

    clients: dict[str, str]  # name -> id
    campaigns: dict[str, str]  # name -> id
    assets: dict[str, str]  # asset name -> id



def music(path: Path, seconds: float, beat: float) -> Path:
    """A tone with beats and a swell, so its waveform looks like sound rather than a bar."""
    expr = (
        f"(0.25+0.2*sin(2*PI*0.4*t))*sin(2*PI*196*t)*exp(-4*mod(t,{beat}))"
        "+0.08*sin(2*PI*523*t)*sin(2*PI*0.7*t)"
    )
    ffmpeg("-f", "lavfi", "-i", f"aevalsrc='{expr}':s=44100:d={seconds}", str(path))
    return path


def make_media(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "hero-banner.jpg": hero,
        "logo-mark.png": logo,
        "poster.webp": poster,
        "moodboard.jpg": moodboard,
        "sticker.gif": sticker,
        "brand-guidelines.pdf": brochure,
    }
    out: dict[str, Path] = {}
    for name, make in files.items():
        make(folder / name)
        out[name] = folder / name
    video(folder / "sunset-loop.mp4", "mp4", 3.0)
    video(folder / "product-teaser.mov", "mov", 2.0)
    out["sunset-loop.mp4"] = folder / "sunset-loop.mp4"
    out["product-teaser.mov"] = folder / "product-teaser.mov"
    out["jingle.mp3"] = music(folder / "jingle.mp3", 4.0, beat=0.5)
    out["voiceover.wav"] = music(folder / "voiceover.wav", 3.0, beat=0.8)
    return out


# Where each file is filed: (client, campaign) or None for unassigned.
PLAN: dict[str, tuple[str, str | None] | None] = {
    "hero-banner.jpg": ("Acme Studio", "Spring launch"),
    "logo-mark.png": ("Acme Studio", "Spring launch"),
    "sunset-loop.mp4": ("Acme Studio", "Spring launch"),
    "poster.webp": ("Acme Studio", "Summer sale"),
    "sticker.gif": ("Acme Studio", "Summer sale"),
    "product-teaser.mov": ("Acme Studio", "Summer sale"),
    "jingle.mp3": ("Northwind", "Rebrand"),
    "brand-guidelines.pdf": ("Northwind", "Rebrand"),
    "voiceover.wav": ("Northwind", None),
    "moodboard.jpg": None,
}


def showcase_library(lib: LibraryService, media: dict[str, Path]) -> Showcase:
    """File the media as PLAN says, one import per destination; tags and a purpose on a few."""
    clients: dict[str, str] = {}
    campaigns: dict[str, str] = {}
    for place in PLAN.values():
        if place is None:
            continue
        client, campaign = place
        if client not in clients:
            clients[client] = lib.create_client(client).id
        if campaign and campaign not in campaigns:
            campaigns[campaign] = lib.create_campaign(clients[client], campaign).id
    assets: dict[str, str] = {}
    order = list(PLAN)
    for name in reversed(order):  # newest first in the grid is the order PLAN lists
        place = PLAN[name]
        target = lib.default_target()
        if place is not None:
            client, campaign = place
            target = lib.default_target(
                client_id=clients[client], campaign_id=campaigns[campaign] if campaign else None
            )
        report = lib.import_paths([media[name]], target)
        assert not report.rejected, report.rejected
        assets[name] = report.imported[0].id
    lib.update_asset(assets["hero-banner.jpg"], AssetChanges(tags=["hero", "spring", "web"]))
    lib.update_asset(assets["logo-mark.png"], AssetChanges(tags=["logo"], purpose="face"))
    lib.update_asset(assets["poster.webp"], AssetChanges(purpose="template"))
    return Showcase(clients, campaigns, assets)
