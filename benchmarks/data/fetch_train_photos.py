"""Assemble the training photo set from Debian packages (real photographs, no system install).

    python benchmarks/data/fetch_train_photos.py data/train-photos [--cache DIR]

Needs `apt-get` and `dpkg-deb` (Debian/Ubuntu; run `apt-get update` once first) and Pillow with
WebP support. The packages are fetched with `apt-get download` (no root needed) and unpacked with
`dpkg-deb -x` into a cache folder, so nothing is installed and their dependencies never come along.

Sources (273 photos):

* ``gcompris-qt-data`` — the photo sets of six activities, stored as WebP chunks inside Qt resource
  files (``/usr/share/gcompris-qt/rcc/<activity>.rcc``). The files are scanned for
  ``RIFF····WEBP`` chunks; only RGB images with a short side of at least 200 px are kept, exact
  duplicates (same pixels) are dropped, and the cartoon activities are never read.
* ``lomiri-wallpapers-16.04`` / ``-20.04`` — landscape and nature photographs (the abstract
  ``umang_*``, the ``Fossa`` illustration and the painting are left out).
* ``opencv-doc`` — OpenCV's classic colour test photographs (renders, cartoons, greyscale
  calibration shots and near-duplicate stereo pairs are left out).

Each photo is scaled to a short side of at most 512 px (the trainer crops 128 px squares from
short sides of 128–512 px, so nothing it uses is lost) and written as a quality-95 JPEG, with
``SOURCES.csv`` (file, package, origin) and the packages' copyright files under ``LICENSES/``.

Never train on the evaluation photos (benchmarks/data/make_eval_set.py): they come from PyPI
packages and are disjoint from these.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image

SHORT_SIDE = 512
MIN_SHORT_SIDE = 200

GCOMPRIS = "gcompris-qt-data"
GCOMPRIS_ACTIVITIES = ("erase", "explore_monuments", "explore_world_animals", "explore_farm_animals",
                       "explore_world_music", "categorization")

# package -> photographs inside it (paths relative to the package root)
FILES = {
    "lomiri-wallpapers-16.04": [
        f"usr/share/backgrounds/{name}.jpg" for name in (
            "Bridge_by_Sander_Klootwijk", "Dragonfly_by_Bolly", "Picture_0B_by_freespace",
            "Picture_1A_by_freespace", "Wine_by_Jakkub_Mede", "aitzgorri_by_Aitzol_Berasategi",
            "analogpattern_by_Peter_Nerlich", "free_by_Peter_Nerlich", "friends_by_Aitzol_Berasategi",
            "greentock_by_Peter_Nerlich", "life_by_Aitzol_Berasategi",
            "picosdeeuropa_by_Aitzol_Berasategi", "seeding_by_Clements_Engelhardt",
            "sunset_by_Aitzol_Berasategi")
    ],
    "lomiri-wallpapers-20.04": [
        "usr/share/backgrounds/Infinite-Sea_by_Aury88.jpg",
        "usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg",
    ],
    "opencv-doc": [
        f"usr/share/doc/opencv-doc/examples/data/{name}" for name in (
            "aero1.jpg", "aero3.jpg", "aloeL.jpg", "apple.jpg", "baboon.jpg", "board.jpg",
            "building.jpg", "butterfly.jpg", "chicky_512.png", "ela_original.jpg", "fruits.jpg",
            "graf1.png", "home.jpg", "leuvenA.jpg", "messi5.jpg", "orange.jpg", "rubberwhale1.png",
            "squirrel_cls.jpg", "stuff.jpg")
    ],
}
PACKAGES = (GCOMPRIS, *FILES)

WEBP_CHUNK = re.compile(rb"RIFF(....)WEBP", re.S)


def run(cmd: list[str], cwd: Path) -> None:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} failed: {result.stderr.strip().splitlines()[-1:]}")


def unpack(cache: Path) -> Path:
    """Download and extract every package once into ``cache``; returns the extracted root."""
    root = cache / "root"
    cache.mkdir(parents=True, exist_ok=True)
    missing = [p for p in PACKAGES if not list(cache.glob(f"{p}_*.deb"))]
    if missing:
        run(["apt-get", "download", *missing], cwd=cache)
    for package in PACKAGES:
        stamp = root / f".{package}.done"
        if not stamp.exists():
            deb = sorted(cache.glob(f"{package}_*.deb"))[-1]
            root.mkdir(exist_ok=True)
            run(["dpkg-deb", "-x", str(deb), str(root)], cwd=cache)
            stamp.touch()
    return root


def webp_images(rcc: Path):
    """Every decodable WebP image stored in a Qt resource file, in file order."""
    data = rcc.read_bytes()
    for match in WEBP_CHUNK.finditer(data):
        length = int.from_bytes(match.group(1), "little")
        blob = data[match.start():match.start() + 8 + length]
        try:
            with Image.open(io.BytesIO(blob)) as im:
                im.load()
                yield im.copy()
        except OSError:
            continue


def gcompris_photos(root: Path):
    """``(name, origin, image)`` for the RGB photos of the kept activities."""
    for activity in GCOMPRIS_ACTIVITIES:
        rcc = root / "usr/share/gcompris-qt/rcc" / f"{activity}.rcc"
        for i, im in enumerate(webp_images(rcc)):
            if im.mode == "RGB" and min(im.size) >= MIN_SHORT_SIDE:
                yield f"{GCOMPRIS}__{activity}_{i:03d}.jpg", f"/{rcc.relative_to(root)}#webp{i}", im


def file_photos(root: Path):
    for package, members in FILES.items():
        for member in members:
            src = root / member
            if not src.exists():
                print(f"warning: {package}: {member} not found, skipped", file=sys.stderr)
                continue
            with Image.open(src) as im:
                yield f"{package}__{Path(member).stem}.jpg", "/" + member, im.convert("RGB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to create (must not exist or be empty)")
    parser.add_argument("--cache", type=Path, default=Path("data/deb-cache"),
                        help="where the .deb files are downloaded and unpacked (kept for reruns)")
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        sys.exit(f"error: {args.out} is not empty")
    root = unpack(args.cache.resolve())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "LICENSES").mkdir(exist_ok=True)
    for package in PACKAGES:
        copyright_file = root / "usr/share/doc" / package / "copyright"
        if copyright_file.exists():
            shutil.copy(copyright_file, args.out / "LICENSES" / f"{package}.copyright")
    rows, seen = [], set()
    for name, origin, im in (*gcompris_photos(root), *file_photos(root)):
        digest = hashlib.sha256(im.tobytes()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        scale = SHORT_SIDE / min(im.size)
        if scale < 1:
            im = im.resize((round(im.width * scale), round(im.height * scale)), Image.LANCZOS)
        im.save(args.out / name, quality=95)
        rows.append({"file": name, "package": name.split("__")[0], "origin": origin})
    with open(args.out / "SOURCES.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["file", "package", "origin"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} photos written to {args.out}")


if __name__ == "__main__":
    main()
