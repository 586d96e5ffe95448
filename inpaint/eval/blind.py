"""The blind look test: ``blind/blind.html`` shows, per case, the original photo and every
method's fill under a letter (A, B, C…) in an order shuffled per case; ``blind_key.json``,
kept outside ``blind/``, maps the letters back to the methods. The page never names a method,
so anyone can judge the fills before reading the key.

Each case shows crops around the hole at full resolution (the hole's bounding box plus
:data:`CROP_MARGIN` px, at most :data:`CROP_MAX_SIDE` px a side, so blur is not hidden by
down-scaling) and a small whole-photo view of each. Cases are a seeded uniform sample
(reservoir sampling over the run, so only the sampled cases' crops are kept in memory); the
letter order of a case is seeded by the case itself, so it does not depend on the sample.
"""

from __future__ import annotations

import html
import json
import string
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from inpaint.atomic import atomic_path, atomic_write_text
from inpaint.eval.cases import Case
from inpaint.eval.report import masked_input, thumbnail

BLIND_DIR = "blind"
PAGE = "blind.html"
KEY_FILE = "blind_key.json"
CROP_MARGIN = 32  # px of photo around the hole in a crop
CROP_MAX_SIDE = 768  # px; a larger hole is cropped around its largest part
WHOLE_SIDE = 320  # long side of the whole-photo views, px
_SAMPLE_STREAM = 0xB11D  # separates this sample's random stream from the gallery's


def crop_box(mask: np.ndarray, margin: int = CROP_MARGIN, max_side: int = CROP_MAX_SIDE) -> tuple[int, int, int, int]:
    """``(y0, y1, x0, x1)``: the hole's bounding box grown by ``margin`` (inside the photo).
    When a side would exceed ``max_side``, a ``max_side`` window centred on the largest
    connected part of the hole is taken along that side instead. mask: ``uint8`` ``H×W``,
    non-zero = hole (at least one hole pixel)."""
    hole = mask > 0
    h, w = hole.shape
    ys, xs = np.nonzero(hole)
    n, labels, comp_stats, centroids = cv2.connectedComponentsWithStats(hole.astype(np.uint8), connectivity=8)
    largest = 1 + int(np.argmax(comp_stats[1:, cv2.CC_STAT_AREA]))
    cx, cy = centroids[largest]
    box = []
    for lo, hi, centre, size in ((ys.min(), ys.max() + 1, cy, h), (xs.min(), xs.max() + 1, cx, w)):
        lo, hi = max(0, int(lo) - margin), min(size, int(hi) + margin)
        if hi - lo > max_side:
            lo = int(np.clip(round(centre - max_side / 2), 0, size - max_side))
            hi = lo + max_side
        box += [lo, hi]
    return box[0], box[1], box[2], box[3]


@dataclass
class _Entry:
    index: int  # position of the case in the run
    case_key: tuple[str, str]
    kind: str
    box: tuple[int, int, int, int]
    views: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # name -> (crop, whole)


def _views(image: np.ndarray, box) -> tuple[np.ndarray, np.ndarray]:
    y0, y1, x0, x1 = box
    return np.ascontiguousarray(image[y0:y1, x0:x1]), thumbnail(image, WHOLE_SIDE)


def letter_order(case_key: tuple[str, str], methods: list[str], seed: int) -> dict[str, str]:
    """``letter -> method`` for one case: a permutation seeded by (seed, image, mask id)."""
    rng = np.random.default_rng([seed, zlib.crc32(case_key[0].encode()), zlib.crc32(case_key[1].encode())])
    order = [methods[i] for i in rng.permutation(len(methods))]
    return {_letter(i): m for i, m in enumerate(order)}


def _letter(i: int) -> str:
    return string.ascii_uppercase[i] if i < 26 else f"Z{i - 25}"


class BlindSample:
    """Keeps the crops of ``count`` uniformly sampled cases; call it after every fill
    (:data:`inpaint.eval.runner.FillHook`), then :meth:`write`."""

    def __init__(self, count: int, seed: int):
        self.count, self.seed = int(count), seed
        self.rng = np.random.default_rng([seed, _SAMPLE_STREAM])
        self.entries: list[_Entry] = []
        self.seen = 0
        self.methods: list[str] = []
        self._key: tuple[str, str] | None = None
        self._current: _Entry | None = None

    def _admit(self, case: Case) -> _Entry | None:
        index, self.seen = self.seen, self.seen + 1
        entry = _Entry(index, case.key, case.kind, crop_box(case.mask))
        if len(self.entries) < self.count:
            self.entries.append(entry)
        else:
            j = int(self.rng.integers(0, index + 1))
            if j >= self.count:
                return None
            self.entries[j] = entry  # reservoir sampling: every case ends up kept with equal chance
        entry.views["original"] = _views(case.image, entry.box)
        entry.views["input"] = _views(masked_input(case.image, case.mask), entry.box)
        return entry

    def __call__(self, case: Case, method: str, filled: np.ndarray) -> None:
        if self.count <= 0:
            return
        if method not in self.methods:
            self.methods.append(method)
        if case.key != self._key:
            self._key, self._current = case.key, self._admit(case)
        if self._current is not None:
            self._current.views[method] = _views(filled, self._current.box)

    def write(self, report_dir: Path) -> Path | None:
        """Write ``blind/blind.html`` + ``blind/images/`` and ``blind_key.json``; returns the
        page's path (None when no case was sampled)."""
        if not self.entries:
            return None
        report_dir = Path(report_dir)
        images = report_dir / BLIND_DIR / "images"
        images.mkdir(parents=True, exist_ok=True)
        cases, key = [], []
        for number, entry in enumerate(sorted(self.entries, key=lambda e: e.index), start=1):
            letters = letter_order(entry.case_key, self.methods, self.seed)
            tiles = [("original", "original"), ("holes (white)", "input")]
            tiles += [(f"fill {letter}", method) for letter, method in letters.items()]
            shown = []
            for label, view in tiles:
                slug = "original" if view == "original" else "holes" if view == "input" else label[-1]
                crop, whole = entry.views[view]
                names = []
                for suffix, array in (("crop", crop), ("whole", whole)):
                    rel = f"images/case{number:02d}_{slug}_{suffix}.png"
                    with atomic_path(report_dir / BLIND_DIR / rel) as tmp:
                        Image.fromarray(array).save(tmp, format="PNG")
                    names.append(rel)
                shown.append((label, names[0], names[1]))
            cases.append((number, shown))
            y0, y1, x0, x1 = entry.box
            key.append({"case": number, "image": entry.case_key[0], "mask_id": entry.case_key[1], "kind": entry.kind,
                        "crop": {"top": y0, "bottom": y1, "left": x0, "right": x1}, "letters": letters})
        page = report_dir / BLIND_DIR / PAGE
        atomic_write_text(page, render_blind(cases, len(self.methods)))
        atomic_write_text(report_dir / KEY_FILE, json.dumps(
            {"seed": self.seed, "page": f"{BLIND_DIR}/{PAGE}", "methods": self.methods, "cases": key}, indent=2) + "\n")
        return page


def render_blind(cases: list[tuple[int, list[tuple[str, str, str]]]], n_fills: int) -> str:
    """The page: per case, tiles ``(label, crop path, whole-photo path)``; no method names."""
    esc = html.escape
    parts = ["<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\">",
             "<title>Blind comparison of fills</title>",
             "<style>body{font-family:sans-serif;margin:1.5em}figure{display:inline-block;margin:6px;"
             "vertical-align:top;text-align:center}figcaption{font-weight:bold}.case{border-top:1px solid #ccc;"
             "margin-top:1.5em}.whole{display:block;margin:4px auto 0}</style>",
             "</head>", "<body>", "<h1>Blind comparison of fills</h1>",
             f"<p>Each case shows the original photo, where the holes were (white), and {n_fills} fills "
             "labelled with letters in an order shuffled for every case. Crops are at full resolution "
             "around the hole; below each crop, the whole photo. For every case, write down the letter of "
             "the fill that looks most like a real photo, then compare with <code>blind_key.json</code> "
             "(kept outside this folder: do not open it first).</p>"]
    for number, tiles in cases:
        parts.append(f"<div class=\"case\"><h2>Case {number}</h2>")
        for label, crop, whole in tiles:
            parts.append(f"<figure><img src=\"{esc(crop)}\" alt=\"{esc(label)}\">"
                         f"<img class=\"whole\" src=\"{esc(whole)}\" alt=\"{esc(label)}, whole photo\">"
                         f"<figcaption>{esc(label)}</figcaption></figure>")
        parts.append("</div>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
