"""Blind A/B look tests between two `inpaint eval` reports, and the score of any blind test.

    python scripts/blind_ab.py tiles OUT_DIR LABEL=REPORT:METHOD LABEL=REPORT:METHOD [...] [--seed N]
    python scripts/blind_ab.py score KEY.json PICKS.json

``tiles`` compares two to four fills of the same cases: reports made with the same photos, setting
and ``--seed`` (so their blind pages hold the same cases and crops: checked, refused otherwise),
for instance one engine setting against another, which one report cannot hold. It writes one PNG
per case, ``tNN.png``: original | holes | X | Y [| Z | W], the fills in an order shuffled per case
by ``--seed``, and the key apart, as ``OUT_DIR.key.json`` beside the folder, so a judge can be
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


LETTERS = "XYZW"


def make_tiles(out: Path, specs: list[str], seed: int) -> Path:
    """Write the tiles of 2–4 fills into ``out`` (new or empty) and the key beside it; returns
    the key's path."""
    if not 2 <= len(specs) <= len(LETTERS):
        raise ValueError(f"give 2 to {len(LETTERS)} LABEL=REPORT:METHOD fills")
    parsed = [_parse(s) for s in specs]
    if len({label for label, _, _ in parsed}) != len(parsed):
        raise ValueError("the labels must differ")
    cases = [_cases(report) for _, report, _ in parsed]
    first = cases[0]
    for (_, report, _), other in zip(parsed[1:], cases[1:]):
        if sorted(first) != sorted(other) or not all(_same(first[n], other[n]) for n in first):
            raise ValueError(f"{parsed[0][1]} and {report} do not hold the same cases (same photos, setting and --seed?)")
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty")
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    key = {}
    for n in sorted(first):
        fills = [(label, _crop(report, got[n], _letter(got[n], method)))
                 for (label, report, method), got in zip(parsed, cases)]
        rng.shuffle(fills)
        key[str(n)] = {letter: label for letter, (label, _) in zip(LETTERS, fills)} | {"image": first[n]["image"]}
        panels = [("original", _crop(parsed[0][1], first[n], "original")),
                  ("holes", _crop(parsed[0][1], first[n], "holes"))]
        panels += [(letter, im) for letter, (_, im) in zip(LETTERS, fills)]
        atomic_write_bytes(out / f"t{n:02d}.png", _tile(panels))
    key_path = out.with_name(out.name + ".key.json")
    atomic_write_text(key_path, json.dumps({"fills": list(specs), "seed": seed, "cases": key}, indent=1))
    return key_path


def score(key_path: Path, picks_path: Path) -> Counter:
    """Picks per fill (``tie`` kept as is) under ``key_path``: this script's key or a report's."""
    key = json.loads(key_path.read_text())
    picks = json.loads(picks_path.read_text())
    if isinstance(key.get("cases"), list):          # a report's blind_key.json
        letters = {str(c["case"]): c["letters"] for c in key["cases"]}
    else:
        letters = {n: {k: v for k, v in c.items() if k in LETTERS} for n, c in key["cases"].items()}
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
    t = sub.add_parser("tiles", help="blind tiles of 2-4 reports' fills")
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
