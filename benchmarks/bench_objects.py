"""Time object removal on whole 1280-px photos: the default fill against whole-photo PatchMatch.

    .venv/bin/python benchmarks/bench_objects.py [--photos data/eval] [--count 4] [--threads 2]

Cases: the first ``--count`` photos of ``--photos`` (by name; build the public set with
``benchmarks/data/make_eval_set.py data/eval``) scaled to a long side of 1280 px, each with the
first mask of ``inpaint eval --setting objects --seed 0`` (one object-sized hole plus a brush
stroke), exactly as the eval makes them. Methods, each timed once per case in this process with
``--threads`` torch threads: the default fill (``--layout auto``), the same model with one layout
worker (the windows one after another: what the layout's thread pool saves), ``--layout guided``,
OpenCV Telea and whole-photo PatchMatch (patch radius 7, the eval's). Printed: total seconds per
method and the ratio to PatchMatch's and Telea's totals in the same run (issue 10's target: the
default in at most 1/3 of PatchMatch's time). Absolute times are noisy on a shared machine;
compare the ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from unittest import mock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", default="data/eval")
    parser.add_argument("--count", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import torch

    import inpaint.fill.layout as layout_mod
    from inpaint.api import Inpainter
    from inpaint.eval import cases as cases_mod
    from inpaint.eval.presets import PRESETS

    torch.set_num_threads(args.threads)
    preset = PRESETS["objects"]
    images = cases_mod.list_images(args.photos)[:args.count]
    source = cases_mod.GeneratedMasks(list(preset.mask_kinds), 1, 0)
    cases = list(cases_mod.iter_cases(images, source, None, long_side=preset.long_side))
    default = Inpainter.from_checkpoint(None, device="cpu")
    methods = {"default (auto)": default.filler.fill,
               "default, 1 layout worker": None,
               "--layout guided": default.with_layout("guided").filler.fill,
               "telea": Inpainter.classical("telea").filler.fill,
               "patchmatch (whole photo)": Inpainter.classical("patchmatch").filler.fill}
    totals = dict.fromkeys(methods, 0.0)
    for case in cases:
        for name, fill in methods.items():
            one_worker = fill is None
            fill = default.filler.fill if one_worker else fill
            with mock.patch.object(layout_mod.os, "cpu_count", lambda: 1) if one_worker else contextlib.nullcontext():
                t0 = time.perf_counter()
                fill(case.image, case.mask)
                totals[name] += time.perf_counter() - t0
    print(f"{len(cases)} photos at long side {preset.long_side} ({', '.join(c.image_name for c in cases)}), "
          f"torch threads {args.threads}; ratio = total / total of the method named, same run")
    print(f"{'method':>26}  {'s/photo':>8}  {'÷ patchmatch':>12}  {'÷ telea':>8}")
    for name, total in totals.items():
        print(f"{name:>26}  {total / len(cases):8.2f}  {total / totals['patchmatch (whole photo)']:12.2f}  "
              f"{total / totals['telea']:8.1f}")


if __name__ == "__main__":
    main()
