"""``inpaint eval --task colorize``: colourise grey versions of colour photos and score them
against the originals; write ``metrics.csv``, ``summary.json`` and ``report.html`` + gallery.

Photos that are grey already (:func:`inpaint.color.is_grey`) are left out, with a note: the grey
baseline would match them exactly. Per photo (read as ``inpaint fill`` reads it, then scaled so its long side is ``long_side``,
default :data:`DEFAULT_LONG_SIDE`: area when shrinking, bicubic when enlarging — fast runs;
recorded in the summary), the grey input is the original's BT.601 luminance rounded to 8 bits,
and three methods colourise it:

* ``model:<checkpoint>`` — :class:`inpaint.colorize.engine.ColorizeEngine`, as ``inpaint colorize``;
* ``grey`` — the grey photo itself (Y, Y, Y): the baseline;
* ``mean-chroma`` — the grey photo plus one constant chroma: the mean (Cb, Cr) of the *other*
  photos of the evaluation set (leave-one-out, each photo's mean weighted equally), so it never
  sees the photo it is scored on; with one photo only it is grey (noted).

Scores (:func:`inpaint.metrics.colour_metrics`): RGB PSNR, SSIM over the three channels, and the
colourfulness ratio (Hasler and Süsstrunk 2003; the output's over the original's, undefined for an
almost colourless original and left out of the median). Every output has the grey input's luminance (≤ 0.5
level), so the methods differ only in colour.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inpaint.atomic import atomic_write_text
from inpaint.color import is_grey, recombine, rgb_to_ycbcr
from inpaint.errors import InpaintError
from inpaint.eval import cases as cases_mod
from inpaint.eval.pipeline import MAX_LONG_SIDE, MIN_LONG_SIDE, EvalResult, check_report_dir, rows_to_csv
from inpaint.eval.summary import INTERVAL_NOTE, json_safe, mean_interval, timing
from inpaint.metrics import colour_metrics

DEFAULT_LONG_SIDE = 512
GREY, MEAN_CHROMA = "grey", "mean-chroma"
BASELINE = GREY
ROW_FIELDS = ("image", "method")
METRICS = ("psnr", "ssim", "colourfulness", "colourfulness_original", "colourfulness_ratio")
MEAN_CHROMA_NOTE = ("mean-chroma: the grey photo plus one constant chroma, the mean (Cb, Cr) of the other "
                    "photos of this evaluation set (leave-one-out; each photo's mean weighted equally)")


@dataclass
class ColorizeEvalSettings:
    images_dir: str
    report_dir: str
    model: str | None = None  # checkpoint; None: the shipped colourisation model
    device: str = "auto"
    long_side: int = DEFAULT_LONG_SIDE
    limit: int | None = None
    gallery: int = 6  # sampled photos in the gallery (the best and worst for the model come on top)
    seed: int = 0
    overwrite: bool = False
    strength: float = 1.0

    def validate(self) -> "ColorizeEvalSettings":
        if not MIN_LONG_SIDE <= self.long_side <= MAX_LONG_SIDE:
            raise InpaintError(f"--long-side must be between {MIN_LONG_SIDE} and {MAX_LONG_SIDE} px, "
                               f"got {self.long_side}")
        if self.gallery < 0:
            raise InpaintError("--gallery must be 0 or more")
        return self


def grey_input(rgb: np.ndarray) -> np.ndarray:
    """The grey photo a user would have: the BT.601 luminance rounded to 8 bits."""
    return np.clip(np.rint(rgb_to_ycbcr(rgb)[..., 0]), 0, 255).astype(np.uint8)


def mean_chroma(rgb: np.ndarray) -> np.ndarray:
    """The photo's mean chroma offsets (Cb − 128, Cr − 128)."""
    return (rgb_to_ycbcr(rgb)[..., 1:] - 128.0).reshape(-1, 2).mean(axis=0)


def leave_one_out(means: np.ndarray) -> np.ndarray:
    """Row i: the mean of every row but i (zeros when there is only one row)."""
    n = len(means)
    if n < 2:
        return np.zeros_like(means)
    return (means.sum(axis=0, keepdims=True) - means) / (n - 1)


def constant_chroma(grey: np.ndarray, chroma: np.ndarray) -> np.ndarray:
    return recombine(grey, np.broadcast_to(np.asarray(chroma, np.float32), grey.shape + (2,)))


class _Methods:
    """The three colourisations of one grey photo, by name."""

    def __init__(self, engine, model_name: str):
        self.engine, self.model_name = engine, model_name

    @property
    def names(self) -> list[str]:
        return [self.model_name, GREY, MEAN_CHROMA]

    def run(self, name: str, grey: np.ndarray, loo_chroma: np.ndarray) -> np.ndarray:
        if name == GREY:
            return np.repeat(grey[:, :, None], 3, axis=2)
        if name == MEAN_CHROMA:
            return constant_chroma(grey, loo_chroma)
        return self.engine.colorize_luminance(grey)


def _load(images: list[Path], long_side: int, images_dir) -> tuple[list[tuple[str, np.ndarray]], list[str]]:
    """The colour photos scaled to ``long_side``, and the names of the grey ones left out (a grey
    original has no colour to score against: the grey baseline would match it exactly); a
    one-line error when none has colour."""
    out, grey = [], []
    for path in images:
        rgb = cases_mod.load_photo(path)
        if is_grey(rgb):
            grey.append(path.name)
            continue
        out.append((path.name, cases_mod.scale_long_side(rgb, long_side)))
    if not out:
        raise InpaintError(f"every photo under {images_dir} is grey: a colourisation is scored against the "
                           "colour original, so eval --task colorize needs colour photos")
    return out, grey


def summarize_colorize(rows: list[dict], seconds: dict[str, list[float]], methods: list[str]) -> dict:
    """Per method: mean PSNR / SSIM / colourfulness with intervals, the median colourfulness
    ratio, the paired PSNR and SSIM margins over the grey baseline, and the time per photo."""
    base = {r["image"]: r for r in rows if r["method"] == BASELINE}
    times = timing(seconds)
    out = {}
    for name in methods:
        mine = [r for r in rows if r["method"] == name]
        entry = {"n": len(mine)}
        entry.update({m: mean_interval([r[m] for r in mine]) for m in ("psnr", "ssim", "colourfulness",
                                                                        "colourfulness_ratio")})
        entry["psnr_over_grey"] = mean_interval([r["psnr"] - base[r["image"]]["psnr"] for r in mine])
        entry["ssim_over_grey"] = mean_interval([r["ssim"] - base[r["image"]]["ssim"] for r in mine])
        entry["time_per_photo"] = times.get(name)
        out[name] = entry
    return out


def _chosen(rows: list[dict], model: str, count: int, seed: int) -> dict[str, list[str]]:
    """``image -> titles``: ``count`` seeded random photos, and the model's best and worst by
    its PSNR margin over grey."""
    images = list(dict.fromkeys(r["image"] for r in rows))
    rng = np.random.default_rng(seed)
    chosen: dict[str, list[str]] = {}
    for i in sorted(rng.choice(len(images), size=min(count, len(images)), replace=False).tolist()):
        chosen.setdefault(images[i], []).append("sample")
    base = {r["image"]: r["psnr"] for r in rows if r["method"] == BASELINE}
    margins = {r["image"]: r["psnr"] - base[r["image"]] for r in rows if r["method"] == model}
    if margins:
        best, worst = max(margins, key=margins.get), min(margins, key=margins.get)
        chosen.setdefault(best, []).append(f"best for {model} ({margins[best]:+.2f} dB vs {BASELINE})")
        chosen.setdefault(worst, []).append(f"worst for {model} ({margins[worst]:+.2f} dB vs {BASELINE})")
    return chosen


def run_colorize_eval(settings: ColorizeEvalSettings, progress: bool = True, engine=None) -> EvalResult:
    """Run the evaluation and write its report folder. ``engine`` replaces the checkpoint's
    :class:`inpaint.colorize.engine.ColorizeEngine` (tests)."""
    from tqdm import tqdm

    from inpaint.eval.colorize_report import write_colorize_report

    settings.validate()
    notes: list[str] = [MEAN_CHROMA_NOTE]
    images = cases_mod.list_images(settings.images_dir, settings.limit)
    report_dir = check_report_dir(settings.report_dir, settings.overwrite)
    photos, grey_photos = _load(images, settings.long_side, settings.images_dir)  # before the model: slow
    if grey_photos:
        notes.append(f"left out {len(grey_photos)} grey photo(s), no colour to score against: "
                     + ", ".join(grey_photos))
    if engine is None:
        from inpaint.colorize.model import colorize_engine
        from inpaint.default_model import resolve_colorize_checkpoint

        checkpoint = resolve_colorize_checkpoint(settings.model)
        engine = colorize_engine(checkpoint, settings.device, strength=settings.strength)
        model_name, source = f"model:{checkpoint.stem}", str(checkpoint)
    else:
        model_name, source = "model:engine", repr(engine)
    methods = _Methods(engine, model_name)
    if len(photos) == 1:
        notes.append("one photo only: mean-chroma has no other photo to average, so it is grey")
    loo = leave_one_out(np.array([mean_chroma(rgb) for _, rgb in photos]))
    rows: list[dict] = []
    seconds: dict[str, list[float]] = {name: [] for name in methods.names}
    for (name, rgb), chroma in tqdm(list(zip(photos, loo)), desc="eval colorize", unit="photo",
                                    disable=not progress):
        grey = grey_input(rgb)
        for method in methods.names:
            start = time.perf_counter()
            out = methods.run(method, grey, chroma)
            seconds[method].append(time.perf_counter() - start)
            rows.append({"image": name, "method": method, **colour_metrics(out, rgb)})
    summary = {
        "task": "colorize",
        "settings": {
            "images_dir": str(settings.images_dir),
            "long_side": settings.long_side,
            "scaling": f"whole photos scaled to a long side of {settings.long_side} px "
                       "(bicubic when enlarging, area when shrinking)",
            "grey_input": "BT.601 luminance of the original, rounded to 8 bits",
            "methods": methods.names,
            "checkpoint": source,
            "strength": settings.strength,
            "upsample": getattr(engine, "upsample", None),
            "mean_chroma": MEAN_CHROMA_NOTE,
            "limit": settings.limit,
            "seed": settings.seed,
        },
        "interval": INTERVAL_NOTE,
        "baseline": BASELINE,
        "counts": {"images": len(photos), "rows": len(rows)},
        "methods": summarize_colorize(rows, seconds, methods.names),
        "notes": notes,
    }
    report_dir.mkdir(parents=True, exist_ok=True)  # only now: a failed run leaves no folder behind
    atomic_write_text(report_dir / "metrics.csv", rows_to_csv(rows, METRICS, ROW_FIELDS))
    atomic_write_text(report_dir / "summary.json", json.dumps(json_safe(summary), indent=2, default=str) + "\n")
    chosen = _chosen(rows, model_name, settings.gallery, settings.seed)
    by_image = {r["image"]: {} for r in rows}
    for r in rows:
        by_image[r["image"]][r["method"]] = r
    gallery = []
    for (name, rgb), chroma in zip(photos, loo):
        if name in chosen:
            grey = grey_input(rgb)
            outs = [(m, methods.run(m, grey, chroma), by_image[name][m]) for m in methods.names]
            gallery.append(("; ".join(chosen[name]), name, grey, outs, rgb))
    gallery.sort(key=lambda g: g[0] == "sample")  # best/worst first
    write_colorize_report(report_dir, summary, gallery)
    return EvalResult(rows, summary, report_dir, notes)
