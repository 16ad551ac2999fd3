"""JPEG thumbnails for every asset type: pictures, video frames, waveforms, first pages."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Final

from PIL import Image

from app.core import avtools, pdfium_lock, waveform
from app.core.errors import UnreadableFile
from app.core.images import describe, open_image, orientation
from app.core.probe import MediaInfo
from app.core.tempfiles import write_atomically

THUMB_MAX: Final[int] = 512
JPEG_QUALITY: Final[int] = 85
_WHITE: Final[tuple[int, int, int]] = (255, 255, 255)
# Videos shorter than this (in whole seconds, as probed) may have no frame at 1 s.
_SEEK_SECONDS: Final[float] = 1.0
_MIN_DURATION_FOR_SEEK: Final[int] = 2

# The same transposes as ImageOps.exif_transpose, applied after shrinking so that only
# the thumbnail is rotated; the orientation is read once, by the code probe uses too.
_TRANSPOSES: Final[dict[int, Image.Transpose]] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def make_thumbnail(
    src: Path, info: MediaInfo, dest: Path, timeout: float = 30.0, *, sync: bool = True
) -> Image.Image:
    """Write src's thumbnail to dest as a JPEG no larger than THUMB_MAX on either side.

    dest appears complete or not at all. Media that cannot be decoded raises UnreadableFile;
    an error writing dest (a full disk) propagates as it is. timeout bounds each ffmpeg
    run; images and PDFs are decoded in-process, behind Pillow's pixel limit and a page
    size derived from THUMB_MAX. sync=False: see write_atomically. Returns the thumbnail's
    picture before it is flattened on white (its alpha kept), so that palette and hash are
    computed from it without decoding the JPEG again and transparency is no colour.
    """
    try:
        picture = _render(src, info, timeout)
        picture.thumbnail((THUMB_MAX, THUMB_MAX), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        flat = _flatten(picture)
        flat.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    except UnreadableFile:
        raise
    except Exception as exc:  # decoders fed hostile bytes fail in many ways
        raise UnreadableFile(f"Cannot make a thumbnail: {describe(exc)}") from None
    write_atomically(dest, buffer.getvalue(), sync=sync)
    return picture


def image_picture(src: Path, format: str) -> Image.Image:
    """An image's thumbnail-sized picture with its alpha kept, as make_thumbnail sees it."""
    try:
        return _image(src, format)
    except UnreadableFile:
        raise
    except Exception as exc:  # decoders fed hostile bytes fail in many ways
        raise UnreadableFile(f"Cannot read image: {describe(exc)}") from None


def make_preview(src: Path, asset_type: str, format: str, dest: Path, max_side: int) -> None:
    """Write a JPEG of an image or of a PDF's first page, no larger than max_side, to dest.

    The larger sibling of the thumbnail, for a share page's big view; made on demand.
    """
    try:
        if asset_type == "image":
            picture = _image(src, format, max_side)
        elif asset_type == "document":
            picture = _pdf_page(src, max_side)
        else:
            raise UnreadableFile(f"No large preview for {asset_type} assets")
        buffer = io.BytesIO()
        _flatten(picture).save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    except UnreadableFile:
        raise
    except Exception as exc:  # decoders fed hostile bytes fail in many ways
        raise UnreadableFile(f"Cannot make a preview: {describe(exc)}") from None
    write_atomically(dest, buffer.getvalue(), sync=False)


def _render(src: Path, info: MediaInfo, timeout: float) -> Image.Image:
    if info.asset_type == "image":
        return _image(src, info.format)
    if info.asset_type == "video":
        return _video_frame(src, info, timeout)
    if info.asset_type == "audio":
        return waveform.draw_waveform(src, info.format, info.duration, timeout)
    if info.asset_type == "document":
        return _pdf_page(src)
    raise UnreadableFile(f"Unsupported asset type: {info.asset_type}")


def _image(src: Path, format: str, max_side: int = THUMB_MAX) -> Image.Image:
    with open_image(src, format) as im:
        turn = _TRANSPOSES.get(orientation(im))
        if format == "jpg":
            # Lets libjpeg decode at 1/2, 1/4 or 1/8 scale, the smallest that still covers
            # the thumbnail (vipsthumbnail's shrink-on-load does the same): a 12 MP photo
            # decodes at 1000x750, where asking for twice the thumbnail's size meant
            # 2000x1500 and twice the time in decoding and resizing. The box follows the
            # picture's shape, so panoramas are reduced too.
            scale = min(1.0, max_side / max(im.size))
            im.draft("RGB", (max(1, round(im.width * scale)), max(1, round(im.height * scale))))
        try:
            im.load()  # decodes the first frame only; a truncated body fails here
        except Exception as exc:
            raise UnreadableFile(f"Cannot read image: {describe(exc)}") from None
        picture = _resizable(im)
        picture.thumbnail((max_side, max_side), _resample(picture.size, max_side))
        # A copy (or transposed copy) outlives the file, which the with block closes.
        return picture.transpose(turn) if turn is not None else picture.copy()


def _resample(size: tuple[int, int], max_side: int) -> Image.Resampling:
    """Bicubic for the last halving a JPEG's reduced decode leaves, Lanczos otherwise.

    Within 2x of the target the two are alike to the eye (on fine text and lines the
    bicubic thumbnail is 1.6 dB further from a full-size Lanczos one, at 32 dB), and
    bicubic's shorter kernel took 7.8 ms instead of 10.8 ms for a 12 MP photo: the
    largest cost of an import after decoding (python -m tests.bench --jobs 1).
    """
    if max(size) <= 2 * max_side:
        return Image.Resampling.BICUBIC
    return Image.Resampling.LANCZOS


def _resizable(im: Image.Image) -> Image.Image:
    # Pillow resizes palette and 1-bit images with nearest-neighbour only, and cannot
    # resize some high-bit-depth modes; converting first keeps the thumbnail smooth.
    if im.mode in ("RGB", "RGBA", "L", "LA"):
        return im
    if im.mode == "PA" or (im.mode == "P" and "transparency" in im.info):
        return im.convert("RGBA")
    return im.convert("RGB")


def _flatten(picture: Image.Image) -> Image.Image:
    """RGB on white: JPEG has no alpha, and designers expect logos on a light ground."""
    if picture.mode in ("RGBA", "LA"):
        rgba = picture.convert("RGBA")
        ground = Image.new("RGB", rgba.size, _WHITE)
        ground.paste(rgba, mask=rgba.getchannel("A"))
        return ground
    return picture if picture.mode == "RGB" else picture.convert("RGB")


def _video_frame(src: Path, info: MediaInfo, timeout: float) -> Image.Image:
    box_w = min(THUMB_MAX, info.width or THUMB_MAX)
    box_h = min(THUMB_MAX, info.height or THUMB_MAX)
    seek = _SEEK_SECONDS if (info.duration or 0) >= _MIN_DURATION_FOR_SEEK else 0.0
    # A seek past the last decodable frame yields no picture rather than an error, so the
    # first frame is the fallback.
    for position in dict.fromkeys((seek, 0.0)):
        options = {"ss": position} if position else {}
        # -ss before -i seeks on keyframes (fast); scaling inside ffmpeg keeps the pipe small.
        stream = (
            avtools.input_stream(src, info.format, **options)["v:0"]
            .filter("scale", box_w, box_h, force_original_aspect_ratio="decrease")
            .output("pipe:", format="image2pipe", vcodec="ppm", vframes=1, an=None, sn=None)
        )
        try:
            data = avtools.run_ffmpeg(stream, timeout, src)
        except UnreadableFile as exc:
            raise UnreadableFile(f"Cannot decode video: {exc}") from None
        if data:
            with Image.open(io.BytesIO(data), formats=["PPM"]) as frame:
                return frame.convert("RGB")
    raise UnreadableFile("Cannot decode video: no frame could be decoded")


def _pdf_page(src: Path, max_side: int = THUMB_MAX) -> Image.Image:
    import pypdfium2 as pdfium  # only documents need it; see probe._pdf_page_count

    try:
        with pdfium_lock.LOCK:
            pdf = pdfium.PdfDocument(src)
            try:
                page = pdf[0]
                try:
                    width, height = page.get_size()
                    if not (width > 0 and height > 0):
                        raise UnreadableFile("Cannot render PDF: its first page has no size")
                    # Scale from the page's own size, so a poster-sized page still renders
                    # at THUMB_MAX pixels and not at its full resolution.
                    scale = max_side / max(width, height)
                    bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255))
                    # to_pil() shares PDFium's buffer; copy before the page is closed.
                    picture: Image.Image = bitmap.to_pil().convert("RGB")
                    return picture
                finally:
                    page.close()
            finally:
                pdf.close()
    except UnreadableFile:
        raise
    except Exception as exc:  # PdfiumError and friends on malformed files
        raise UnreadableFile(f"Cannot render PDF: {describe(exc)}") from None
