"""Blind A/B look tests between two `inpaint eval` reports, and the score of any blind test.

    python scripts/blind_ab.py tiles OUT_DIR LABEL=REPORT:METHOD LABEL=REPORT:METHOD [--seed N]
    python scripts/blind_ab.py score KEY.json PICKS.json

``tiles`` compares two fills of the same cases: two reports made with the same photos, setting
and ``--seed`` (so their blind pages hold the same cases and crops: checked, refused otherwise),
for instance one engine setting against another, which one report cannot hold. It writes one PNG
per case, ``tNN.png``: original | holes | X | Y, the two fills in an order shuffled per case by
``--seed``, and the key apart, as ``OUT_DIR.key.json`` beside the folder, so a judge can be
handed the folder alone. ``score`` counts a judge's picks (``{"1": "X", "2": "tie", ...}``)
against a key: this script's, or a report's own ``blind_key.json`` (letters A, B, C…).

Judge before reading the key; the model card records how each test was judged.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
from collections import Counter
from pathlib import Path

from PIL import Image, ImageDraw

from inpaint.atomic import atomic_write_bytes, atomic_write_text

HEIGHT, GAP, STRIP = 420, 10, 20


def _cases(report: Path) -> dict[int, dict]:
    key = json.loads((report / "blind_key.json").read_text())
    return {case["case"]: case for case in key["cases"]}


def _crop(report: Path, case: dict, name: str) -> Image.Image:
    return Image.open(report / "blind" / "images" / f"case{case['case']:02d}_{name}_crop.png").convert("RGB")


def _letter(case: dict, method: str) -> str:
    for letter, m in case["letters"].items():
        if m == method:
            return letter
    raise ValueError(f"case {case['case']} has no method {method!r} (it has {', '.join(case['letters'].values())})")


def _parse(spec: str) -> tuple[str, Path, str]:
    label, sep, rest = spec.partition("=")
    report, sep2, method = rest.partition(":")
    if not (sep and sep2 and label and report and method):
        raise ValueError(f"{spec!r} is not LABEL=REPORT:METHOD")
    return label, Path(report), method


def _same(a: dict, b: dict) -> bool:
    return all(a.get(k) == b.get(k) for k in ("image", "mask_id", "crop"))


def _tile(panels: list[tuple[str, Image.Image]]) -> bytes:
    fitted = [(label, im.resize((max(1, round(im.width * HEIGHT / im.height)), HEIGHT), Image.LANCZOS))
              for label, im in panels]
    canvas = Image.new("RGB", (sum(im.width + GAP for _, im in fitted) - GAP, HEIGHT + STRIP), "white")
    draw = ImageDraw.Draw(canvas)
    x = 0
    for label, im in fitted:
        canvas.paste(im, (x, STRIP))
        draw.text((x + 4, 4), label, fill="black")
        x += im.width + GAP
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG")
    return buffer.getvalue()


def make_tiles(out: Path, specs: list[str], seed: int) -> Path:
    """Write the A/B tiles into ``out`` (new or empty) and the key beside it; returns the key's path."""
    if len(specs) != 2:
        raise ValueError("give exactly two LABEL=REPORT:METHOD fills")
    (la, ra, ma), (lb, rb, mb) = (_parse(s) for s in specs)
    if la == lb:
        raise ValueError("the two labels must differ")
    cases_a, cases_b = _cases(ra), _cases(rb)
    if sorted(cases_a) != sorted(cases_b) or not all(_same(cases_a[n], cases_b[n]) for n in cases_a):
        raise ValueError(f"{ra} and {rb} do not hold the same cases (same photos, setting and --seed?)")
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty")
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    key = {}
    for n in sorted(cases_a):
        fills = [(la, _crop(ra, cases_a[n], _letter(cases_a[n], ma))),
                 (lb, _crop(rb, cases_b[n], _letter(cases_b[n], mb)))]
        rng.shuffle(fills)
        key[str(n)] = {"X": fills[0][0], "Y": fills[1][0], "image": cases_a[n]["image"]}
        panels = [("original", _crop(ra, cases_a[n], "original")), ("holes", _crop(ra, cases_a[n], "holes")),
                  ("X", fills[0][1]), ("Y", fills[1][1])]
        atomic_write_bytes(out / f"t{n:02d}.png", _tile(panels))
    key_path = out.with_name(out.name + ".key.json")
    atomic_write_text(key_path, json.dumps({"fills": [specs[0], specs[1]], "seed": seed, "cases": key}, indent=1))
    return key_path


def score(key_path: Path, picks_path: Path) -> Counter:
    """Picks per fill (``tie`` kept as is) under ``key_path``: this script's key or a report's."""
    key = json.loads(key_path.read_text())
    picks = json.loads(picks_path.read_text())
    if isinstance(key.get("cases"), list):          # a report's blind_key.json
        letters = {str(c["case"]): c["letters"] for c in key["cases"]}
    else:
        letters = {n: {"X": c["X"], "Y": c["Y"]} for n, c in key["cases"].items()}
    unknown = sorted(set(picks) - set(letters), key=str)
    if unknown:
        raise ValueError(f"picks for cases the key does not have: {', '.join(unknown)}")
    counts = Counter()
    for n, pick in picks.items():
        if pick == "tie":
            counts["tie"] += 1
        elif pick in letters[n]:
            counts[letters[n][pick]] += 1
        else:
            raise ValueError(f"case {n}: {pick!r} is not one of {', '.join(letters[n])} or tie")
    return counts


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("tiles", help="A/B tiles of two reports' fills")
    t.add_argument("out", type=Path)
    t.add_argument("fills", nargs="+", metavar="LABEL=REPORT:METHOD")
    t.add_argument("--seed", type=int, default=0, help="seed of the per-case order")
    s = sub.add_parser("score", help="count a judge's picks against a key")
    s.add_argument("key", type=Path)
    s.add_argument("picks", type=Path)
    args = p.parse_args(argv)
    try:
        if args.command == "tiles":
            print(f"tiles: {args.out}  key (do not show the judge): {make_tiles(args.out, args.fills, args.seed)}")
        else:
            counts = score(args.key, args.picks)
            print(", ".join(f"{name} {n}" for name, n in counts.most_common()))
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    main()
