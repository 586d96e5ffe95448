"""One evaluation run: cases → fills → ``metrics.csv``, ``summary.json``, ``report.html`` +
``images/``, and the blind look test (``blind/blind.html``, its key ``blind_key.json``) in a
report folder. Every file is written atomically; a non-empty report folder is refused unless
``overwrite``."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from inpaint.atomic import atomic_write_text
from inpaint.errors import InpaintError
from inpaint.eval import cases as cases_mod
from inpaint.eval.blind import BLIND_DIR, KEY_FILE, PAGE, BlindSample
from inpaint.eval.methods import BASELINE, DEFAULT_METHODS, Method, parse_method_names, resolve_methods
from inpaint.eval.report import GalleryCase, masked_input, write_report, write_thumbnail
from inpaint.eval.runner import METRICS, ROW_FIELDS, run_evaluation, score_case
from inpaint.eval.presets import PRESETS
from inpaint.eval.summary import case_margins, json_safe, summarize, timing

DEFAULT_SIZE = 128  # the context encoder's training size
DEFAULT_BLIND = 12  # cases on the blind page (issue 10's look test used 12 photos)
MIN_LONG_SIDE, MAX_LONG_SIDE = 64, 4096


@dataclass
class EvalSettings:
    """What to evaluate. ``size`` None means whole photos: at their own resolution, or scaled
    so their long side is ``long_side``. ``setting``: a name of
    :data:`inpaint.eval.presets.PRESETS`; it sets whole photos at its long side and its mask
    kinds (``long_side``/``mask_kinds`` given here override them; ``size`` is ignored)."""

    images_dir: str
    report_dir: str
    checkpoints: list[str] = field(default_factory=list)
    methods: str = DEFAULT_METHODS
    masks: str | None = None  # folder (matched by stem) or one file
    mask_kinds: list[str] = field(default_factory=list)  # default: ["center"] when masks is None
    count_per_image: int = 1
    seed: int = 0
    size: int | None = DEFAULT_SIZE
    device: str = "auto"
    limit: int | None = None
    gallery: int = 6  # sampled cases in the gallery (best/worst per model come on top)
    overwrite: bool = False
    perceptual: bool = True
    flip: bool | None = None  # models' mirror averaging; None: as `inpaint fill` (engine FLIP_DEFAULT)
    detail: bool | None = None  # models' native-resolution texture; None: as `inpaint fill` (DETAIL_DEFAULT)
    layout: bool | str | None = None  # models' layout of large holes (a name, or on/off); None: as `inpaint fill` (LAYOUT_DEFAULT)
    long_side: int | None = None  # whole photos scaled to this long side (px); needs size None
    setting: str | None = None  # a preset of inpaint.eval.presets.PRESETS
    blind: int = DEFAULT_BLIND  # cases on the blind side-by-side page (0: none)

    def resolved(self) -> "EvalSettings":
        """The settings with ``setting`` applied (a copy; unchanged without one)."""
        if self.setting is None:
            return self
        if self.setting not in PRESETS:
            raise InpaintError(f"unknown --setting {self.setting!r}: use {', '.join(PRESETS)}")
        if self.masks is not None:
            raise InpaintError(f"--setting {self.setting} generates its masks: use it without --masks")
        preset = PRESETS[self.setting]
        return replace(self, size=None, long_side=self.long_side or preset.long_side,
                       mask_kinds=list(self.mask_kinds) or list(preset.mask_kinds))

    def validate(self) -> "EvalSettings":
        if self.size is not None and self.size < 8:
            raise InpaintError(f"--size must be at least 8 px, got {self.size}")
        if self.long_side is not None:
            if self.size is not None:
                raise InpaintError("use either --size or --long-side, not both")
            if not MIN_LONG_SIDE <= self.long_side <= MAX_LONG_SIDE:
                raise InpaintError(f"--long-side must be between {MIN_LONG_SIDE} and {MAX_LONG_SIDE} px, "
                                   f"got {self.long_side}")
        if self.gallery < 0:
            raise InpaintError("--gallery must be 0 or more")
        if self.blind < 0:
            raise InpaintError("--blind must be 0 or more")
        return self


@dataclass
class EvalResult:
    rows: list[dict]
    summary: dict
    report_dir: Path
    notes: list[str]


def check_report_dir(report_dir: str | Path, overwrite: bool) -> Path:
    """Refuse a file, or a non-empty folder without ``overwrite`` (creates nothing)."""
    path = Path(report_dir)
    if path.exists() and not path.is_dir():
        raise InpaintError(f"report folder {path} exists and is not a folder")
    if path.is_dir() and any(path.iterdir()) and not overwrite:
        raise InpaintError(f"report folder {path} is not empty: pick another or pass --overwrite")
    return path


def rows_to_csv(rows: list[dict], metrics: tuple[str, ...], fields: tuple[str, ...] = ROW_FIELDS) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*fields, *metrics])
    for r in rows:
        values = [r[f] for f in fields] + [r.get(m, float("nan")) for m in metrics]
        writer.writerow(["" if isinstance(v, float) and np.isnan(v) else
                         (repr(v) if isinstance(v, float) else v) for v in values])
    return buf.getvalue()


def pick_gallery(rows: list[dict], methods: list[Method], count: int, seed: int) -> dict[tuple, list[str]]:
    """``case key -> titles``: ``count`` seeded random cases, plus the best and the worst case
    of each model by its hole-PSNR margin over Telea."""
    keys = list(dict.fromkeys((r["image"], r["mask_id"]) for r in rows))
    rng = np.random.default_rng(seed)
    chosen: dict[tuple, list[str]] = {}
    for i in sorted(rng.choice(len(keys), size=min(count, len(keys)), replace=False).tolist()):
        chosen.setdefault(keys[i], []).append("sample")
    for m in methods:
        if not m.is_model:
            continue
        margins = case_margins(rows, m.name)
        if margins:
            best = max(margins, key=margins.get)
            worst = min(margins, key=margins.get)
            chosen.setdefault(best, []).append(f"best for {m.name} ({margins[best]:+.2f} dB vs {BASELINE})")
            chosen.setdefault(worst, []).append(f"worst for {m.name} ({margins[worst]:+.2f} dB vs {BASELINE})")
    return chosen


def build_gallery(report_dir: Path, case_iter, methods: list[Method], chosen: dict) -> list[GalleryCase]:
    """Fill the chosen cases again (fills are deterministic) and save their thumbnails."""
    gallery = []
    for case in case_iter:
        if case.key not in chosen:
            continue
        n = len(gallery)
        entry = GalleryCase("; ".join(chosen[case.key]), case.image_name, case.mask_id)
        stem = f"{n:03d}_{Path(case.image_name).stem}_{case.mask_id}"
        entry.tiles.append(("masked input", write_thumbnail(report_dir, f"{stem}_input",
                                                             masked_input(case.image, case.mask))))
        for m in methods:
            row, filled, _ = score_case(case, m)
            label = f"{m.name}: {row['psnr_hole']:.2f} dB"
            entry.tiles.append((label, write_thumbnail(report_dir, f"{stem}_{m.name}", filled)))
        entry.tiles.append(("ground truth", write_thumbnail(report_dir, f"{stem}_truth", case.image)))
        gallery.append(entry)
    # best/worst cases first, then the random sample (stable: case order within each)
    return sorted(gallery, key=lambda g: g.title == "sample")


def run(settings: EvalSettings, progress: bool = True, loader=None, classical=None) -> EvalResult:
    """Run an evaluation and write its report folder. ``loader``/``classical`` replace
    :class:`inpaint.api.Inpainter` (see :func:`inpaint.eval.methods.resolve_methods`)."""
    settings = settings.resolved().validate()
    notes: list[str] = []
    names = parse_method_names(settings.methods)
    native = settings.size is None
    source = cases_mod.mask_source(settings.masks, settings.mask_kinds, settings.count_per_image,
                                   settings.seed, native)
    images = cases_mod.list_images(settings.images_dir, settings.limit)
    report_dir = check_report_dir(settings.report_dir, settings.overwrite)
    from inpaint.device import resolve_device

    resolve_device(settings.device)  # a bad --device fails now, even when only classical fills run
    from inpaint.fill.engine import DETAIL_DEFAULT, FLIP_DEFAULT, LAYOUT_DEFAULT
    from inpaint.fill.layout import layout_name

    flip = FLIP_DEFAULT if settings.flip is None else bool(settings.flip)
    detail = DETAIL_DEFAULT if settings.detail is None else bool(settings.detail)
    layout = layout_name(settings.layout, LAYOUT_DEFAULT)
    methods = resolve_methods(names, [Path(c) for c in settings.checkpoints], settings.device,
                              notes, loader, classical, flip, detail, layout)
    if BASELINE not in [m.name for m in methods] and any(m.is_model for m in methods):
        notes.append(f"{BASELINE} is not among the methods: no margins and no best/worst cases")
    extra = {}
    if settings.perceptual:
        from inpaint.eval.perceptual import perceptual_metrics

        extra = perceptual_metrics(settings.device, notes)
    metrics = METRICS + tuple(extra)

    def case_iter(case_notes=None):
        return cases_mod.iter_cases(images, source, settings.size, case_notes, settings.long_side)

    blind = BlindSample(settings.blind, settings.seed)
    rows, seconds = run_evaluation(case_iter(notes), methods, len(images) * source.per_image, progress, extra,
                                   on_fill=blind)
    summary = summarize(rows, [m.name for m in methods if m.is_model], metrics)
    if not native:
        size, crop = settings.size, "short side resized to size, centre square crop"
    elif settings.long_side is None:
        size, crop = "native", "native resolution"
    else:
        size, crop = "native", (f"whole photos scaled to a long side of {settings.long_side} px "
                                "(bicubic when enlarging, area when shrinking)")
    generators = getattr(source, "generators", {})
    summary = {
        "settings": {
            "images_dir": str(settings.images_dir),
            "setting": settings.setting,
            "setting_description": PRESETS[settings.setting].description if settings.setting else None,
            "size": size,
            "long_side": settings.long_side,
            "crop": crop,
            "masks": settings.masks or f"generated: {', '.join(getattr(source, 'kinds', []))}",
            "mask_params": {kind: gen.params() for kind, gen in generators.items()},
            "count_per_image": settings.count_per_image if settings.masks is None else 1,
            "seed": settings.seed,
            "methods": [m.name for m in methods],
            "checkpoints": {m.name: m.source for m in methods if m.is_model},
            "limit": settings.limit,
            "flip": flip,
            "detail": detail,
            "layout": layout,
            "blind": settings.blind,
        },
        **summary,
        # one fill = one photo × mask; wall time, so it depends on the machine and its load
        "seconds_per_fill": {name: t["mean"] for name, t in timing(seconds).items()},
        "time_per_fill": timing(seconds),
        "notes": notes,
    }
    report_dir.mkdir(parents=True, exist_ok=True)  # only now: a failed run leaves no folder behind
    atomic_write_text(report_dir / "metrics.csv", rows_to_csv(rows, metrics))
    atomic_write_text(report_dir / "summary.json", json.dumps(json_safe(summary), indent=2, default=str) + "\n")
    blind_page = blind.write(report_dir)
    gallery = build_gallery(report_dir, case_iter(), methods,
                            pick_gallery(rows, methods, settings.gallery, settings.seed))
    write_report(report_dir, summary, metrics, gallery,
                 blind=(f"{BLIND_DIR}/{PAGE}", KEY_FILE) if blind_page else None)
    return EvalResult(rows, summary, report_dir, notes)
