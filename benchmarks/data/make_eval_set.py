"""Assemble the public evaluation photos: real colour photos that ship *inside* PyPI packages
(scikit-image's bundled data, scikit-learn's sample images), written as PNGs with a manifest.

    python benchmarks/data/make_eval_set.py OUT_DIR [--overwrite]

Nothing is downloaded: a scikit-image photo is used only when its file is bundled in the
installed package (checked on disk before calling ``skimage.data``), otherwise it is skipped
with a note. These photos are for evaluation only — never train on them.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from inpaint.atomic import atomic_path, atomic_write_text

PUBLIC_DOMAIN = "public domain"


@dataclass(frozen=True)
class Source:
    name: str  # output file stem
    package: str  # "scikit-image" or "scikit-learn"
    loader: str  # skimage.data function, or sklearn sample image file name
    bundled_file: str  # file that must exist in the package (no download)
    description: str
    licence: str
    credit: str


SOURCES = (
    Source("astronaut", "scikit-image", "astronaut", "astronaut.png",
           "Astronaut Eileen Collins (NASA Great Images)", PUBLIC_DOMAIN, "NASA"),
    Source("chelsea", "scikit-image", "chelsea", "chelsea.png", "Chelsea the cat", "CC0",
           "Stefan van der Walt"),
    Source("coffee", "scikit-image", "coffee", "coffee.png", "Coffee cup (courtesy of Pikolo Espresso Bar)",
           "CC0", "Rachel Michetti"),
    Source("rocket", "scikit-image", "rocket", "rocket.jpg", "Launch of DSCOVR on Falcon 9", PUBLIC_DOMAIN,
           "SpaceX"),
    Source("motorcycle", "scikit-image", "stereo_motorcycle", "motorcycle_left.png",
           "Motorcycle, left view of the Middlebury 2014 stereo pair (downsampled 4×)",
           "Middlebury stereo datasets, free for research use (cite Scharstein et al., GCPR 2014)",
           "D. Scharstein et al., Middlebury College"),
    Source("hubble_deep_field", "scikit-image", "hubble_deep_field", "hubble_deep_field.jpg",
           "Hubble eXtreme Deep Field", PUBLIC_DOMAIN, "NASA"),
    Source("china", "scikit-learn", "china.jpg", "china.jpg", "Summer Palace, China (Flickr)",
           "CC BY 2.0", "danielbuechele on Flickr"),
    Source("flower", "scikit-learn", "flower.jpg", "flower.jpg", "Flower (Flickr)", "CC BY 2.0",
           "vultilion on Flickr"),
)

README = """# Public evaluation photos

Written by `benchmarks/data/make_eval_set.py` from photos that ship inside the installed
scikit-image and scikit-learn packages (nothing was downloaded). Sources, credits and licences
of every file are in `manifest.json` and below.

**Evaluation only: never use these photos for training**, or the figures of `inpaint eval`
on them stop measuring how a model fills photos it has not seen.

| file | size | source | credit | licence |
|---|---|---|---|---|
{rows}
{skipped}"""


def _package_dir(module: str) -> Path | None:
    try:
        mod = __import__(module, fromlist=["__file__"])
    except ImportError:
        return None
    return Path(mod.__file__).parent


def load_source(src: Source) -> tuple[np.ndarray | None, str]:
    """The photo as ``uint8`` ``H×W×3``, or ``(None, why it was skipped)``."""
    if src.package == "scikit-image":
        data_dir = _package_dir("skimage.data")
        if data_dir is None:
            return None, "scikit-image is not installed"
        if not (data_dir / src.bundled_file).is_file():
            return None, f"{src.bundled_file} is not bundled in this scikit-image (it would need a download)"
        import skimage.data

        image = getattr(skimage.data, src.loader)()
        if isinstance(image, tuple):  # stereo_motorcycle: (left, right, disparity)
            image = image[0]
    else:
        images_dir = _package_dir("sklearn.datasets")
        if images_dir is None:
            return None, "scikit-learn is not installed"
        if not (images_dir / "images" / src.bundled_file).is_file():
            return None, f"{src.bundled_file} is not bundled in this scikit-learn"
        from sklearn.datasets import load_sample_image

        image = load_sample_image(src.loader)
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        return None, f"unexpected array {image.dtype} {image.shape}"
    return image, ""


def make_eval_set(out_dir: Path, overwrite: bool = False) -> dict:
    """Write the PNGs, ``manifest.json`` and ``README.md``; returns the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = [out_dir / f"{s.name}.png" for s in SOURCES] + [out_dir / "manifest.json", out_dir / "README.md"]
    existing = [t.name for t in targets if t.exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{out_dir} already has {', '.join(existing)}: pass --overwrite to replace")
    files, skipped = [], []
    for src in SOURCES:
        image, why = load_source(src)
        if image is None:
            skipped.append({"name": src.name, "reason": why})
            continue
        with atomic_path(out_dir / f"{src.name}.png") as tmp:
            Image.fromarray(image).save(tmp, format="PNG")
        files.append({"file": f"{src.name}.png", "height": int(image.shape[0]), "width": int(image.shape[1]),
                      "package": src.package, "loader": src.loader, "description": src.description,
                      "credit": src.credit, "licence": src.licence})
    manifest = {"purpose": "evaluation only, never training", "files": files, "skipped": skipped}
    atomic_write_text(out_dir / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    rows = "\n".join(f"| {f['file']} | {f['width']}×{f['height']} | {f['package']} ({f['loader']}) | "
                     f"{f['credit']} | {f['licence']} |" for f in files)
    skipped_text = "".join(f"\nSkipped {s['name']}: {s['reason']}.\n" for s in skipped)
    atomic_write_text(out_dir / "README.md", README.format(rows=rows, skipped=skipped_text))
    return manifest


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder to write the PNGs into")
    parser.add_argument("--overwrite", action="store_true", help="replace files already there")
    args = parser.parse_args(argv)
    try:
        manifest = make_eval_set(args.out_dir, args.overwrite)
    except OSError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    for f in manifest["files"]:
        print(f"{f['file']:<24} {f['width']}×{f['height']}  {f['licence']}")
    for s in manifest["skipped"]:
        print(f"note: skipped {s['name']}: {s['reason']}", file=sys.stderr)
    print(f"{len(manifest['files'])} photos in {args.out_dir} (evaluation only, never training)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
