"""`inpaint eval`: score models against the classical fills and write a report folder.

Torch-using code is imported inside the command, so `inpaint --help` stays light.
"""

from __future__ import annotations

import click

from cli.errors import friendly_errors
from cli.layout_options import chosen_layout, layout_options
from inpaint.eval.methods import DEFAULT_METHODS, METHOD_NAMES  # torch-free
from inpaint.eval.pipeline import DEFAULT_BLIND, DEFAULT_SIZE  # torch-free
from inpaint.eval.presets import PRESETS


def _cell(stat, digits):
    return "–" if not stat or stat.get("mean") is None else f"{stat['mean']:.{digits}f}"


def _median(stat):
    return "–" if not stat or stat.get("median") is None else f"{stat['median']:.2f}"


def format_summary_table(summary: dict) -> str:
    """Method, kind, n, hole PSNR, SSIM, median detail ratio, seconds per fill, margin over
    Telea: one line per method × kind (all bins)."""
    margins = {(m["method"], m["kind"]): m for m in summary.get("margins", []) if m["bin"] == "all"}
    groups = [g for g in summary.get("groups", []) if g["bin"] == "all"]
    times = summary.get("time_per_fill", {})
    mw = max([len("method")] + [len(g["method"]) for g in groups])
    kw = max([len("kind")] + [len(g["kind"]) for g in groups])
    header = (f"{'method':<{mw}} {'kind':<{kw}} {'n':>5} {'PSNR':>7} {'SSIM':>7} {'detail':>7} {'s/fill':>7}  "
              f"margin vs {summary.get('baseline', 'telea')}")
    lines = [header, "-" * len(header)]
    for g in groups:
        m = margins.get((g["method"], g["kind"]))
        margin = ""
        if m is not None:
            d = m["psnr_hole"]
            ci = f" [{d['lo']:+.2f}, {d['hi']:+.2f}]" if d.get("lo") is not None else ""
            margin = (f"{d['mean']:+.2f} dB{ci}, SSIM {m['ssim_hole']['mean']:+.3f}, "
                      f"wins {100 * m['win_rate']:.0f} %") if d.get("mean") is not None else "–"
        sec = times.get(g["method"], {}).get("mean")
        sec = "–" if sec is None else f"{sec:.2f}"
        lines.append(f"{g['method']:<{mw}} {g['kind']:<{kw}} {g['n']:>5} {_cell(g['psnr_hole'], 2):>7} "
                     f"{_cell(g['ssim_hole'], 3):>7} {_median(g.get('detail_ratio')):>7} {sec:>7}  {margin}")
    lines.append("detail: median detail ratio (fill's texture ÷ the original's, 1 = as detailed); "
                 "s/fill: mean seconds per fill")
    return "\n".join(lines)


def format_colorize_table(summary: dict) -> str:
    """Method, n, PSNR, SSIM, ΔPSNR over grey, median colourfulness ratio, seconds per photo."""
    methods = summary.get("methods", {})
    mw = max([len("method")] + [len(m) for m in methods])
    header = (f"{'method':<{mw}} {'n':>5} {'PSNR':>7} {'SSIM':>7} {'vs grey':>8} {'colour':>7} {'s/photo':>8}")
    lines = [header, "-" * len(header)]
    for name, m in methods.items():
        d = m.get("psnr_over_grey")
        delta = "–" if not d or d.get("mean") is None else f"{d['mean']:+.2f}"
        sec = (m.get("time_per_photo") or {}).get("mean")
        lines.append(f"{name:<{mw}} {m['n']:>5} {_cell(m['psnr'], 2):>7} {_cell(m['ssim'], 3):>7} {delta:>8} "
                     f"{_median(m.get('colourfulness_ratio')):>7} {'–' if sec is None else f'{sec:.3f}':>8}")
    lines.append("vs grey: mean PSNR margin over the grey photo (dB); colour: median colourfulness ratio "
                 "(output ÷ original, 1 = as colourful); s/photo: mean seconds per photo")
    return "\n".join(lines)


# options of --task inpaint only (refused with --task colorize)
INPAINT_ONLY = ("checkpoints", "methods", "masks_path", "mask_kinds", "count_per_image", "size", "native",
                "setting", "blind", "flip", "detail", "layout", "no_layout")


def _given(ctx, names) -> list[str]:
    from click.core import ParameterSource

    return [name for name in names if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE]


def _option_name(ctx, name: str) -> str:
    param = next(p for p in ctx.command.params if p.name == name)
    return max(param.opts, key=len)


def _evaluate_colorize(ctx, images_dir, model, report_dir, device, long_side, limit, gallery, seed, overwrite,
                       progress):
    from inpaint.errors import InpaintError
    from inpaint.eval.colorize_run import DEFAULT_LONG_SIDE, ColorizeEvalSettings, run_colorize_eval

    wrong = _given(ctx, INPAINT_ONLY)
    if wrong:
        hint = " (give the model with --model)" if "checkpoints" in wrong else ""
        raise InpaintError(f"{_option_name(ctx, wrong[0])} is an option of --task inpaint{hint}")
    settings = ColorizeEvalSettings(images_dir, report_dir, model, device,
                                    DEFAULT_LONG_SIDE if long_side is None else long_side, limit, gallery, seed,
                                    overwrite)
    result = run_colorize_eval(settings, progress=progress)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(format_colorize_table(result.summary))
    click.echo(f"report: {result.report_dir / 'report.html'}")


@click.command(name="eval")
@click.argument("images_dir", type=click.Path())
@click.option("--task", type=click.Choice(["inpaint", "colorize"]), default="inpaint", show_default=True,
              help="inpaint: fills of masked photos; colorize: colourisations of grey versions of colour "
                   "photos (PSNR, SSIM, colourfulness ratio; baselines grey and mean-chroma), whole photos "
                   "at --long-side (default 512 there).")
@click.option("--model", type=click.Path(), default=None,
              help="--task colorize: the checkpoint of `inpaint train --task colorize` (default: the shipped "
                   "colourisation model, when there is one).")
@click.option("--checkpoint", "checkpoints", multiple=True, type=click.Path(),
              help="Model checkpoint to score (repeat for several); each becomes a method 'model:<name>'. "
                   "Default: the model shipped with inpaint.")
@click.option("--methods", default=DEFAULT_METHODS, show_default=True,
              help=f"Comma-separated methods: model (one per --checkpoint), "
                   f"{', '.join(n for n in METHOD_NAMES if n not in ('model', 'oracle'))} (patchmatch needs the "
                   "optional pypatchmatch package), oracle (one per --checkpoint: its engine and settings with "
                   "the original photo's window in place of the network's prediction, the ceiling no better "
                   "model of that size can pass).")
@click.option("-o", "--out", "report_dir", required=True, type=click.Path(),
              help="Report folder: metrics.csv, summary.json, report.html, images/.")
@click.option("--masks", "masks_path", type=click.Path(),
              help="Mask folder (matched to photos by file stem) or one mask file for every photo.")
@click.option("--mask-kind", "mask_kinds", multiple=True,
              help="Generate masks of this kind from the masks registry (repeatable; default: center).")
@click.option("--count-per-image", default=1, show_default=True, type=int,
              help="Generated masks per photo and kind.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of generated masks and the gallery sample.")
@click.option("--size", type=int, default=None,
              help=f"Evaluate N×N crops: short side resized to N, centre square cropped (default {DEFAULT_SIZE}).")
@click.option("--native", is_flag=True, help="Evaluate photos at their own resolution (masks must match their size).")
@click.option("--long-side", type=int, default=None,
              help="Evaluate whole photos scaled so their long side is N px (bicubic up, area down; recorded).")
@click.option("--setting", metavar="NAME", default=None,
              help="A named setting: " + "; ".join(f"{k}: {p.description}" for k, p in PRESETS.items())
                   + ". --long-side and --mask-kind override its values.")
@click.option("--blind", default=DEFAULT_BLIND, show_default=True, type=int,
              help="Cases on the blind side-by-side page blind/blind.html (key: blind_key.json); 0: none.")
@click.option("--device", default="auto", show_default=True, help="auto, cpu or cuda[:N].")
@click.option("--limit", type=int, default=None, help="Evaluate only the first N photos (by name).")
@click.option("--gallery", default=6, show_default=True, type=int,
              help="Randomly sampled cases in the report gallery (the best and worst per model are added).")
@click.option("--overwrite", is_flag=True, help="Allow writing into a non-empty report folder.")
@click.option("--progress/--no-progress", default=True, show_default=True, help="Progress bar on stderr.")
# default None = inpaint.fill.engine.FLIP_DEFAULT, as in `inpaint fill` (importing it here would load torch)
@click.option("--flip/--no-flip", default=None,
              help="Average each window's prediction with its mirror image (one more model run per window), "
                   "as `inpaint fill --flip/--no-flip`. Default: on.")
# default None = inpaint.fill.engine.DETAIL_DEFAULT, as in `inpaint fill`
@click.option("--detail/--no-detail", default=None,
              help="The models' native-resolution texture step, as `inpaint fill --detail/--no-detail`. Default: on.")
@layout_options(" As `inpaint fill --layout`, for every model; recorded in summary.json.")
@click.pass_context
@friendly_errors
def evaluate(ctx, images_dir, task, model, checkpoints, methods, report_dir, masks_path, mask_kinds, count_per_image, seed,
             size, native, long_side, setting, blind, device, limit, gallery, overwrite, progress, flip, detail,
             layout, no_layout):
    """Score fills (or, with --task colorize, colourisations) of IMAGES_DIR's photos against their originals.

    Hole PSNR, L1, SSIM (of the hole's bounding box), whole-image PSNR and the detail ratio per
    method × mask kind × hole-area bin, with 95 % t-intervals, each model's paired margin over
    Telea, the time per fill, and a blind side-by-side page.
    """
    from inpaint.errors import InpaintError
    from inpaint.eval.pipeline import EvalSettings, run

    if task == "colorize":
        _evaluate_colorize(ctx, images_dir, model, report_dir, device, long_side, limit, gallery, seed, overwrite,
                           progress)
        return
    if model is not None:
        raise InpaintError("--model is an option of --task colorize (inpainting models are given with --checkpoint)")
    geometry = [name for name, given in (("--size", size is not None), ("--native", native),
                                         ("--long-side", long_side is not None), ("--setting", setting is not None))
                if given]
    if len(geometry) > 1 and geometry != ["--long-side", "--setting"]:
        raise InpaintError(f"use only one of --size or --native or --long-side/--setting (got {', '.join(geometry)})")
    whole = native or long_side is not None or setting is not None
    settings = EvalSettings(
        images_dir=images_dir, report_dir=report_dir, checkpoints=list(checkpoints), methods=methods,
        masks=masks_path, mask_kinds=list(mask_kinds), count_per_image=count_per_image, seed=seed,
        size=None if whole else (DEFAULT_SIZE if size is None else size), device=device, limit=limit, gallery=gallery,
        overwrite=overwrite, flip=flip, detail=detail, layout=chosen_layout(layout, no_layout), long_side=long_side,
        setting=setting, blind=blind)
    result = run(settings, progress=progress)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(format_summary_table(result.summary))
    click.echo(f"report: {result.report_dir / 'report.html'}")
    from inpaint.eval.blind import BLIND_DIR, KEY_FILE, PAGE

    if (result.report_dir / KEY_FILE).is_file():
        click.echo(f"blind look test: {result.report_dir / BLIND_DIR / PAGE} (key: {result.report_dir / KEY_FILE})")
