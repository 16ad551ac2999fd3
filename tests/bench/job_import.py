"""Jobs 1 and 2: `atelier import` against vipsthumbnail, and against a naive ffprobe + ffmpeg loop."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

from tests.bench import corpus
from tests.bench.common import (
    REPO,
    Context,
    Row,
    atelier_cmd,
    median,
    need_tool,
    ratio,
    run,
    seconds,
    timed,
)

THUMB = 512  # the size Atelier's thumbnails fit in (app.core.thumbnails.THUMB_MAX)


def atelier_import(ctx: Context, source: Path, expected: int, workers: int | None) -> float:
    """Seconds for `atelier import SOURCE` into a new empty library; checks every file landed."""
    lib = ctx.scratch("import-library")
    args = ["--data-dir", lib, "import", source, "--json"]
    if workers is not None:
        args += ["--workers", str(workers)]
    start = time.perf_counter()
    result = run(atelier_cmd(*args), cwd=REPO)
    elapsed = time.perf_counter() - start
    report = json.loads(result.stdout)
    if len(report["imported"]) != expected:
        raise RuntimeError(
            f"atelier imported {len(report['imported'])} of {expected} files: {report['rejected'][:1]}"
        )
    shutil.rmtree(lib, ignore_errors=True)
    return elapsed


def vips_thumbnails(ctx: Context, paths: list[Path], processes: int) -> float:
    """Seconds for `processes` vipsthumbnail processes sharing the files round-robin."""
    vips = need_tool("vipsthumbnail")
    out = ctx.scratch("vips-out")
    # The same box and JPEG quality as Atelier's thumbnails.
    target = f"{out}/%s.jpg[Q=85,optimize_coding,strip]"
    shares = [paths[i::processes] for i in range(processes)]
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [vips, "-s", f"{THUMB}x{THUMB}", "-o", target, *map(str, share)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for share in shares
        if share
    ]
    failed = [p.communicate()[1] for p in procs if p.wait() != 0]
    elapsed = time.perf_counter() - start
    if failed:
        raise RuntimeError(f"vipsthumbnail failed: {failed[0].decode(errors='replace')[:200]}")
    made = len(list(out.iterdir()))
    if made != len(paths):
        raise RuntimeError(f"vipsthumbnail made {made} of {len(paths)} thumbnails")
    shutil.rmtree(out, ignore_errors=True)
    return elapsed


def warm_up(ctx: Context) -> None:
    """One small import first: compiles and caches what an import loads, in both processes."""
    if ctx.sizes.name == "smoke":
        return  # the smoke run checks that the jobs work, not their figures
    folder = ctx.scratch("warm-up")
    for index in range(2):
        (folder / f"warm-{index}.jpg").write_bytes(corpus.photo_bytes(index, 640, 480))
    atelier_import(ctx, folder, 2, 2)


def images(ctx: Context) -> list[Row]:
    s = ctx.sizes
    need_tool("vipsthumbnail")
    folder = corpus.photos(ctx.cache, s.jpegs, s.jpeg_size, ctx.log)
    paths = corpus.files(folder)
    corpus.warm(paths)
    mp = s.jpeg_size[0] * s.jpeg_size[1] / 1e6
    mb = sum(p.stat().st_size for p in paths) / len(paths) / 1e6
    n = ctx.cores
    warm_up(ctx)
    a_n, v_n, a_1, v_1 = [], [], [], []
    for index in range(s.runs):
        ctx.log(f"  run {index + 1}/{s.runs}")
        a_n.append(atelier_import(ctx, folder, len(paths), n))
        v_n.append(vips_thumbnails(ctx, paths, n))
        if n > 1:
            a_1.append(atelier_import(ctx, folder, len(paths), 1))
            v_1.append(vips_thumbnails(ctx, paths, 1))
    a, v = median(a_n), median(v_n)
    rows = [
        Row(
            f"1. import {len(paths)} JPEGs ({mp:.0f} MP, {mb:.1f} MB), {n} processes",
            seconds(a),
            f"{seconds(v)} vipsthumbnail",
            ratio(a, v),
            "≤ 1.0",
            a <= v,
        )
    ]
    if n > 1:
        speedup, vips_speedup = median(a_1) / a, median(v_1) / v
        rows.append(
            Row(
                f"1. import speed-up, 1 → {n} cores",
                f"{speedup:.2f}× ({seconds(median(a_1))} on 1)",
                f"{vips_speedup:.2f}× vipsthumbnail",
                "-",
                "≥ 1.8×",
                speedup >= 1.8,
            )
        )
    else:
        rows.append(Row("1. import speed-up, 1 → 2 cores", note="skipped: one core"))
    return rows


# --- video and audio -------------------------------------------------------------------


def naive_media(ctx: Context, paths: list[Path]) -> float:
    """The naive way: for each file, ffprobe, then one ffmpeg for a frame at 1 s (or a waveform)."""
    ffprobe, ffmpeg = need_tool("ffprobe"), need_tool("ffmpeg")
    out = ctx.scratch("naive-out")
    box = f"scale={THUMB}:{THUMB}:force_original_aspect_ratio=decrease"

    def loop() -> None:
        for index, path in enumerate(paths):
            run([ffprobe, "-v", "error", "-show_format", "-show_streams", "-of", "json", path])
            base = [ffmpeg, "-nostdin", "-y", "-v", "error"]
            if path.suffix in (".mp4", ".mov"):
                args = [*base, "-ss", "1", "-i", path, "-frames:v", "1", "-vf", box]
            else:
                wave = "showwavespic=s=1024x256"
                args = [*base, "-i", path, "-filter_complex", wave, "-frames:v", "1"]
            run([*args, out / f"{index}.jpg"])

    elapsed = timed(loop)
    shutil.rmtree(out, ignore_errors=True)
    return elapsed


def video_audio(ctx: Context) -> list[Row]:
    s = ctx.sizes
    need_tool("ffmpeg")
    folder = corpus.media(
        ctx.cache, s.videos, s.audios, s.video_size, s.video_seconds, s.audio_seconds, ctx.log
    )
    paths = corpus.files(folder)
    corpus.warm(paths)
    warm_up(ctx)
    a_runs, r_runs = [], []
    for index in range(s.runs):
        ctx.log(f"  run {index + 1}/{s.runs}")
        a_runs.append(atelier_import(ctx, folder, len(paths), None))
        r_runs.append(naive_media(ctx, paths))
    a, r = median(a_runs), median(r_runs)
    w, h = s.video_size
    return [
        Row(
            f"2. import {s.videos} videos ({h}p, {s.video_seconds} s) + {s.audios} audio "
            f"({s.audio_seconds} s), {ctx.cores} processes",
            seconds(a),
            f"{seconds(r)} ffprobe + ffmpeg loop",
            ratio(a, r),
            "≤ 0.8",
            a <= 0.8 * r,
        )
    ]
