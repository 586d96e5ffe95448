"""`inpaint masks …`: generate mask datasets, inspect mask folders, list mask kinds.

Torch-free: this module imports only the ``masks`` library (see the test that checks it).
"""

from __future__ import annotations

import json

import click

from cli.errors import friendly_errors
from masks.errors import MaskError


def parse_params(items: tuple[str, ...]) -> dict:
    """``key=value`` strings → dict; values are JSON when they parse (numbers, booleans,
    ``{"block": 1}``), plain strings otherwise."""
    params = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise MaskError(f"--param expects key=value, got {item!r}")
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


@click.group()
def masks():
    """Generate and inspect mask datasets (255 = hole, 0 = known)."""


@masks.command()
@click.option("--kind", required=True, help="Mask kind (see `inpaint masks kinds`).")
@click.option("--count", type=int, required=True, help="Number of masks to write.")
@click.option("--size", type=int, default=256, show_default=True, help="Square side in px (32..4096).")
@click.option("--width", type=int, default=None, help="Width in px (overrides --size).")
@click.option("--height", type=int, default=None, help="Height in px (overrides --size).")
@click.option("--seed", type=int, default=0, show_default=True, help="Dataset seed; mask i uses default_rng([seed, i]).")
@click.option("--out", "out", type=click.Path(), required=True,
              help="Output folder: new, empty, or (with --overwrite) a previous mask dataset.")
@click.option("--bins", type=click.Choice(["nvidia"]), default=None,
              help="Stratify into the six NVIDIA hole-area bins with equal counts.")
@click.option("--max-tries", type=int, default=None,
              help="Draws per mask before giving up on its --bins bin [default: 10000] or on the "
                   "--min/--max-fraction range [default: 200].")
@click.option("--param", "param", multiple=True, metavar="KEY=VALUE",
              help="Generator parameter, repeatable (JSON values: --param coverage=0.2).")
@click.option("--preset", default=None, help="Stroke preset: thin, medium or thick (with --kind stroke).")
@click.option("--objects-dir", type=click.Path(), default=None,
              help="Folder of segmentation PNGs for --kind region or object (object shapes).")
@click.option("--min-fraction", type=float, default=None, help="Smallest hole fraction to keep.")
@click.option("--max-fraction", type=float, default=None, help="Largest hole fraction to keep.")
@click.option("--workers", type=int, default=1, show_default=True, help="Processes to use.")
@click.option("--overwrite", is_flag=True, help="Replace a previous mask dataset in OUT / an existing preview.")
@click.option("--preview", type=click.Path(), default=None, help="Also write a contact sheet of the first 64 masks (PNG).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@friendly_errors
def generate(kind, count, size, width, height, seed, out, bins, max_tries, param, preset, objects_dir,
             min_fraction, max_fraction, workers, overwrite, preview, quiet):
    """Write COUNT masks 00000.png… and manifest.csv into the folder OUT."""
    from pathlib import Path

    from masks.dataset import DatasetSpec, check_output_folder, file_name, generate_dataset
    from masks.io import load_mask
    from masks.preview import contact_sheet, write_png_atomic

    params = parse_params(param)
    # with --bins, --max-tries bounds the draws for each bin; otherwise those for the fraction range
    range_tries = max_tries if bins is None else None
    for key, value in (("preset", preset), ("objects_dir", objects_dir),
                       ("min_fraction", min_fraction), ("max_fraction", max_fraction),
                       ("max_tries", range_tries)):
        if value is not None:
            if key in params:
                raise MaskError(f"{key} given twice (option and --param)")
            params[key] = value
    if count <= 0:
        raise MaskError(f"--count must be positive, got {count}")
    if workers < 1:
        raise MaskError(f"--workers must be at least 1, got {workers}")
    spec = DatasetSpec(kind=kind, count=count, height=size if height is None else height,
                       width=size if width is None else width, seed=seed, params=params, bins=bins,
                       max_tries=10000 if max_tries is None or bins is None else max_tries)
    check_output_folder(Path(out), overwrite)
    if preview is not None:
        p = Path(preview)
        if p.suffix.lower() != ".png":
            raise MaskError(f"--preview must be a .png file, got {p.name}")
        if p.resolve().is_relative_to(Path(out).resolve()):
            # it would be read back as one more mask by `masks stats`, fill and training
            raise MaskError(f"--preview {p} must be outside the output folder {out}")
        if p.is_dir() or (p.exists() and not overwrite):
            raise MaskError(f"preview {p} exists; use --overwrite to replace it")
    fractions = generate_dataset(spec, out, workers=workers, overwrite=overwrite, progress=not quiet)
    if preview is not None:
        first = [load_mask(Path(out) / file_name(i)) for i in range(min(64, count))]
        write_png_atomic(preview, contact_sheet(first), overwrite=True)
    mean = sum(fractions.values()) / len(fractions)
    click.echo(f"wrote {count} {kind} masks ({spec.width}x{spec.height}) to {out}; mean hole fraction {mean:.3f}")


@masks.command()
@click.argument("folder", type=click.Path())
@click.option("--invert", is_flag=True, help="Masks use black = hole.")
@friendly_errors
def stats(folder, invert):
    """Count, sizes and hole-fraction histogram of a folder of masks (any image format)."""
    from masks.stats import folder_stats

    click.echo(folder_stats(folder, invert=invert).format())


@masks.command()
@click.argument("folder", type=click.Path())
@click.argument("output", type=click.Path())
@click.option("--limit", type=int, default=64, show_default=True, help="Masks on the sheet.")
@click.option("--columns", type=int, default=8, show_default=True)
@click.option("--cell", type=int, default=96, show_default=True, help="Thumbnail size in px.")
@click.option("--invert", is_flag=True, help="Masks use black = hole.")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it exists.")
@friendly_errors
def preview(folder, output, limit, columns, cell, invert, overwrite):
    """Write a contact sheet (PNG) of the first masks of FOLDER to OUTPUT."""
    from pathlib import Path

    from masks.preview import folder_preview, write_png_atomic

    if Path(output).exists() and not overwrite:  # fail before reading the whole folder
        raise MaskError(f"{output} exists; use --overwrite to replace it")
    write_png_atomic(output, folder_preview(folder, limit=limit, columns=columns, cell=cell, invert=invert),
                     overwrite=overwrite)
    click.echo(f"wrote {output}")


@masks.command()
@friendly_errors
def kinds():
    """List mask kinds and their parameters with defaults."""
    import dataclasses

    from masks.registry import CONSTRAINT_PARAMS, MASK_KINDS, kind_fields, kind_summary
    from masks.strokes import PRESETS, BrushMask

    for kind in MASK_KINDS:
        click.echo(f"{kind}: {kind_summary(kind)}")
        defaults = PRESETS.get(kind, {})
        for f in kind_fields(kind):
            if f.name in defaults:
                default = defaults[f.name]
            elif f.default is not dataclasses.MISSING:
                default = f.default
            else:
                default = f.default_factory()
            note = ""
            if kind == "stroke" and f.name not in BrushMask.__dataclass_fields__ and f.name != "preset":
                note = "  (LaMa parameter: only with a preset; default from the preset)"
            click.echo(f"    {f.name} = {json.dumps(default)}{note}")
    click.echo(f"every kind also takes: {', '.join(CONSTRAINT_PARAMS)} (hole-fraction constraint)")
