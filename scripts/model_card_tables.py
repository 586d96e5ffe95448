"""Markdown tables for the model card from `inpaint eval` reports (their summary.json).

    python scripts/model_card_tables.py reports/default-128 reports/default-native

For each report: one table per mask kind and hole-area bin (and "all") with hole PSNR / SSIM of
every method (and its median detail ratio, where the report has it), and the model's paired
margin over Telea (95 % interval) and win rate.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

KIND_ORDER = ("center", "block", "region", "stroke", "thin", "medium", "thick")


def _order(kind: str) -> tuple[int, str]:
    return (KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER), kind)


def _bin_order(b: str) -> tuple[int, str]:
    return (1, b) if b == "all" else (0, b)


def table(summary: dict) -> str:
    methods = summary["settings"]["methods"]
    model = next(m for m in methods if m.startswith("model"))
    others = [m for m in methods if m != model]
    cells = {(g["method"], g["kind"], g["bin"]): g for g in summary["groups"]}
    margins = {(m["kind"], m["bin"]): m for m in summary["margins"] if m["method"] == model}
    with_detail = all("detail_ratio" in g for g in summary["groups"])
    unit = "PSNR / SSIM / detail" if with_detail else "PSNR / SSIM"
    head = ["kind", "hole area", "n", *[f"{m} {unit}" for m in others], f"model {unit}",
            "margin over Telea (dB, 95 % CI)", "SSIM margin", "wins"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    keys = sorted({(k, b) for (_, k, b) in cells}, key=lambda kb: (_order(kb[0]), _bin_order(kb[1])))
    for kind, b in keys:
        if kind == "all" and b != "all":
            continue
        row = [kind, b, str(cells[(model, kind, b)]["n"])]
        for m in (*others, model):
            g = cells.get((m, kind, b))
            cell = f"{g['psnr_hole']['mean']:.2f} / {g['ssim_hole']['mean']:.3f}" if g else "–"
            if g and with_detail:
                median = g["detail_ratio"].get("median")
                cell += f" / {median:.2f}" if median is not None else " / –"
            row.append(cell)
        mg = margins.get((kind, b))
        if mg:
            p = mg["psnr_hole"]
            ci = f"[{p['lo']:+.2f}, {p['hi']:+.2f}]" if p.get("lo") is not None and p["n"] > 1 else ""
            bold = "**" if b == "all" else ""
            row += [f"{bold}{p['mean']:+.2f}{bold} {ci}", f"{mg['ssim_hole']['mean']:+.3f}",
                    f"{100 * mg['win_rate']:.0f} %"]
        else:
            row += ["–", "–", "–"]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", type=Path, help="report folders of `inpaint eval`")
    args = parser.parse_args()
    for report in args.reports:
        path = report / "summary.json"
        if not path.is_file():
            sys.exit(f"error: {path} not found (run `inpaint eval … --out {report}` first)")
        summary = json.loads(path.read_text())
        s = summary["settings"]
        detail = "" if "detail" not in s else f", detail step {'on' if s['detail'] else 'off'}"
        if "layout" in s:
            # a name since --layout native ("guided" is the old "on"); older reports hold true / false
            shown = {True: "on", False: "off", "guided": "on"}.get(s["layout"], s["layout"])
            detail += f", PatchMatch layout {shown}"
        print(f"### {s['crop']} — masks {s['masks']}, {s['count_per_image']} per photo and kind, "
              f"seed {s['seed']}{detail} ({summary['counts']['cases']} cases)\n")
        print(table(summary))
        secs = ", ".join(f"{m} {t * 1000:.0f} ms" for m, t in summary["seconds_per_fill"].items())
        print(f"\nMean time per fill: {secs}.\n")


if __name__ == "__main__":
    main()
