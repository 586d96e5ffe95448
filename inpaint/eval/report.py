"""``report.html``: the summary tables and a gallery of PNG thumbnails under ``images/``
(referenced by relative paths, so the report folder can be moved or zipped as a whole)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from inpaint.atomic import atomic_path, atomic_write_text

THUMB_SIDE = 192  # longest side of a gallery thumbnail, px
IMAGES_DIR = "images"
METRIC_LABELS = {"psnr_hole": "hole PSNR (dB)", "l1_hole": "hole L1", "ssim_hole": "hole SSIM",
                 "psnr_image": "image PSNR (dB)", "lpips_hole": "hole LPIPS",
                 "detail_ratio": "detail ratio"}
STYLE = ("body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#eee}"
         "td:nth-child(-n+3){text-align:left}figure{display:inline-block;margin:4px;text-align:center}"
         "figcaption{font-size:small}.case{margin:1em 0;border-top:1px solid #ddd}")
# Metrics whose median is shown beside the mean: the detail ratio is a ratio with a long upper
# tail (a few noisy fills), so its median is the figure to read.
MEDIAN_METRICS = ("detail_ratio",)


@dataclass
class GalleryCase:
    title: str  # why it is shown: "sample", "best for model:x", ...
    image_name: str
    mask_id: str
    tiles: list[tuple[str, str]] = field(default_factory=list)  # (label, relative PNG path)


def thumbnail(image: np.ndarray, side: int = THUMB_SIDE) -> np.ndarray:
    h, w = image.shape[:2]
    scale = side / max(h, w)
    if scale >= 1:
        return image
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def masked_input(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The photo as the method sees it: holes painted white."""
    out = image.copy()
    out[mask > 0] = 255
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "x"


def write_thumbnail(report_dir: Path, name: str, image: np.ndarray) -> str:
    """Save a thumbnail PNG atomically; returns its path relative to ``report_dir``."""
    rel = f"{IMAGES_DIR}/{_slug(name)}.png"
    target = report_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        Image.fromarray(thumbnail(image)).save(tmp, format="PNG")
    return rel


def format_stat(stat: dict | None, digits: int) -> str:
    """A :func:`inpaint.eval.summary.mean_interval` as HTML: mean and interval."""
    if not stat or stat.get("mean") is None:
        return "–"
    text = f"{stat['mean']:.{digits}f}"
    if stat.get("lo") is not None:
        text += f" <small>[{stat['lo']:.{digits}f}, {stat['hi']:.{digits}f}]</small>"
    return text


def _digits(metric: str) -> int:
    return 2 if metric.startswith("psnr") or metric == "detail_ratio" else 4


def format_median(stat: dict | None, digits: int) -> str:
    if not stat or stat.get("median") is None:
        return "–"
    text = f"{stat['median']:.{digits}f}"
    if stat.get("undefined"):
        text += f" <small>({stat['undefined']} undefined)</small>"
    return text


def html_table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(summary: dict, metrics: tuple[str, ...], gallery: list[GalleryCase],
                blind: tuple[str, str] | None = None) -> str:
    """``blind``: (relative path of the blind page, of its key), linked when given."""
    esc = html.escape
    parts = ["<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\">",
             "<title>inpaint evaluation</title>",
             f"<style>{STYLE}</style>",
             "</head>", "<body>", "<h1>inpaint evaluation</h1>"]
    settings = summary.get("settings", {})
    if settings:
        parts.append("<p>" + ", ".join(f"{esc(str(k))}: <code>{esc(str(v))}</code>"
                                       for k, v in settings.items()) + "</p>")
    counts = summary.get("counts", {})
    parts.append(f"<p>{counts.get('images', 0)} images, {counts.get('cases', 0)} cases (image × mask), "
                 f"{counts.get('rows', 0)} fills. Intervals: {esc(summary.get('interval', ''))}.</p>")
    for note in summary.get("notes", []):
        parts.append(f"<p class=\"note\">Note: {esc(note)}</p>")

    parts.append("<h2>Results per method, mask kind and hole-area bin</h2>")
    medians = [m for m in MEDIAN_METRICS if m in metrics]
    if "detail_ratio" in metrics:
        parts.append("<p>Detail ratio: mean Sobel gradient magnitude of the luminance inside the hole "
                     "(eroded by 2 px) in the fill ÷ the same in the original; 1 = as much detail as the "
                     "photo, below 1 = blurred, above 1 = invented noise. Undefined (left out) where the "
                     "eroded hole is empty or the original is flat there.</p>")
    headers = (["method", "kind", "bin", "n"] + [METRIC_LABELS.get(m, m) for m in metrics]
               + [f"{METRIC_LABELS.get(m, m)} (median)" for m in medians])
    rows = [[esc(g["method"]), esc(g["kind"]), esc(g["bin"]), str(g["n"])]
            + [format_stat(g.get(m), _digits(m)) for m in metrics]
            + [format_median(g.get(m), _digits(m)) for m in medians] for g in summary.get("groups", [])]
    parts.append(html_table(headers, rows))

    times = summary.get("time_per_fill", {})
    if times:
        parts.append("<h2>Time per fill</h2>")
        parts.append("<p>Wall time of one fill (one photo × mask) on the machine of this run, in seconds.</p>")
        parts.append(html_table(["method", "n", "mean (s)", "median (s)"],
                            [[esc(name), str(t["n"]), f"{t['mean']:.3f}", f"{t['median']:.3f}"]
                             for name, t in times.items()]))

    if blind:
        page, key = blind
        parts.append("<h2>Blind look test</h2>")
        parts.append(f"<p><a href=\"{esc(page)}\">{esc(page)}</a>: the original and the fills under letters, "
                     f"shuffled per case. The key is in <code>{esc(key)}</code>: look first.</p>")

    margins = summary.get("margins", [])
    if margins:
        base = esc(summary.get("baseline", "telea"))
        parts.append(f"<h2>Margin over {base} (paired per case)</h2>")
        parts.append(f"<p>Mean of (model − {base}) per case; win rate = share of cases where the "
                     "model's hole PSNR is higher.</p>")
        rows = [[esc(m["method"]), esc(m["kind"]), esc(m["bin"]), str(m["n"]),
                 format_stat(m["psnr_hole"], 2), format_stat(m["ssim_hole"], 4), f"{100 * m['win_rate']:.0f} %"]
                for m in margins]
        parts.append(html_table(["method", "kind", "bin", "n", "Δ hole PSNR (dB)", "Δ hole SSIM", "win rate"], rows))

    if gallery:
        parts.append("<h2>Gallery</h2>")
    for case in gallery:
        parts.append(f"<div class=\"case\"><h3>{esc(case.title)}: {esc(case.image_name)} × "
                     f"{esc(case.mask_id)}</h3>")
        for label, rel in case.tiles:
            parts.append(f"<figure><img src=\"{esc(rel)}\" alt=\"{esc(label)}\">"
                         f"<figcaption>{esc(label)}</figcaption></figure>")
        parts.append("</div>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def write_report(report_dir: Path, summary: dict, metrics: tuple[str, ...], gallery: list[GalleryCase],
                 blind: tuple[str, str] | None = None) -> Path:
    target = Path(report_dir) / "report.html"
    atomic_write_text(target, render_html(summary, metrics, gallery, blind))
    return target
