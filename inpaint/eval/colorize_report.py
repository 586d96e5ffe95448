"""``report.html`` of ``inpaint eval --task colorize``: the per-method table and a gallery
(grey input | each method | original), thumbnails linking the full evaluated images under
``images/full/`` (relative paths: the folder can be moved or zipped as a whole)."""

from __future__ import annotations

import html
from pathlib import Path

from PIL import Image

from inpaint.atomic import atomic_path, atomic_write_text
from inpaint.eval.report import IMAGES_DIR, STYLE, _slug, format_median, format_stat, html_table, write_thumbnail

FULL_DIR = f"{IMAGES_DIR}/full"


def _full(report_dir: Path, name: str, image) -> str:
    rel = f"{FULL_DIR}/{_slug(name)}.png"
    target = report_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        Image.fromarray(image).save(tmp, format="PNG")
    return rel


def _tile(report_dir: Path, name: str, label: str, image) -> str:
    esc = html.escape
    thumb, full = write_thumbnail(report_dir, name, image), _full(report_dir, name, image)
    return (f"<figure><a href=\"{esc(full)}\"><img src=\"{esc(thumb)}\" alt=\"{esc(label)}\"></a>"
            f"<figcaption>{esc(label)}</figcaption></figure>")


def render_colorize_html(summary: dict, gallery_html: list[str]) -> str:
    esc = html.escape
    parts = ["<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\">",
             "<title>inpaint evaluation: colourisation</title>", f"<style>{STYLE}</style>", "</head>",
             "<body>", "<h1>inpaint evaluation: colourisation</h1>"]
    settings = summary.get("settings", {})
    parts.append("<p>" + ", ".join(f"{esc(str(k))}: <code>{esc(str(v))}</code>" for k, v in settings.items())
                 + "</p>")
    parts.append(f"<p>{summary['counts']['images']} photos. Intervals: {esc(summary.get('interval', ''))}.</p>")
    for note in summary.get("notes", []):
        parts.append(f"<p class=\"note\">Note: {esc(note)}</p>")
    parts.append("<h2>Results per method</h2>")
    parts.append("<p>PSNR (RGB) and SSIM (over the three channels) against the colour original. "
                 "Colourfulness: Hasler and Süsstrunk (2003), M = sqrt(σ<sub>rg</sub>² + σ<sub>yb</sub>²) + "
                 "0.3·sqrt(μ<sub>rg</sub>² + μ<sub>yb</sub>²) with rg = R − G, yb = (R + G)/2 − B; the ratio "
                 "is the output's over the original's (1 = as colourful, below 1 = desaturated), undefined "
                 "for a grey original. Every output keeps the grey input's luminance, so the methods "
                 "differ only in colour.</p>")
    rows = []
    for name, m in summary["methods"].items():
        t = m.get("time_per_photo") or {}
        rows.append([esc(name), str(m["n"]), format_stat(m["psnr"], 2), format_stat(m["ssim"], 4),
                     format_stat(m["psnr_over_grey"], 2), format_stat(m["colourfulness"], 1),
                     format_median(m["colourfulness_ratio"], 3),
                     "–" if not t else f"{t['mean']:.3f}"])
    parts.append(html_table(["method", "n", "PSNR (dB)", "SSIM", f"Δ PSNR vs {esc(summary['baseline'])} (dB)",
                             "colourfulness", "colourfulness ratio (median)", "s/photo"], rows))
    if gallery_html:
        parts.append("<h2>Gallery</h2><p>Click a thumbnail for the evaluated image.</p>")
        parts += gallery_html
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def write_colorize_report(report_dir: Path, summary: dict, gallery) -> Path:
    """``gallery``: ``(title, image name, grey input, [(method, output, row)], original)``."""
    blocks = []
    for n, (title, name, grey, outs, original) in enumerate(gallery):
        stem = f"{n:03d}_{Path(name).stem}"
        tiles = [_tile(report_dir, f"{stem}_grey_input", "grey input", grey)]
        for method, image, row in outs:
            ratio = row["colourfulness_ratio"]
            label = f"{method}: {row['psnr']:.2f} dB" + ("" if ratio != ratio else f", colour ×{ratio:.2f}")
            tiles.append(_tile(report_dir, f"{stem}_{method}", label, image))
        tiles.append(_tile(report_dir, f"{stem}_original", "original", original))
        blocks.append(f"<div class=\"case\"><h3>{html.escape(title)}: {html.escape(name)}</h3>"
                      + "".join(tiles) + "</div>")
    target = Path(report_dir) / "report.html"
    atomic_write_text(target, render_colorize_html(summary, blocks))
    return target
