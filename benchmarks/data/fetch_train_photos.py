"""Assemble the training photo set from Debian packages (real photographs shipped as wallpapers).

    python benchmarks/data/fetch_train_photos.py data/train-photos

Needs `apt-get` (Debian/Ubuntu; run `apt-get update` once first) and Pillow. Downloads the
packages below with `apt-get download` (no root needed for that), extracts them with
`dpkg-deb -x`, keeps only the listed photographs (abstract art, renders and screenshots in the
same packages are left out), scales each to a short side of 512 px (the training loader takes
random short sides around 350 px for 128 px crops, so nothing is lost) and writes them as
quality-95 JPEGs with `SOURCES.csv` and the packages' copyright files.

Never train on the evaluation photos (benchmarks/data/make_eval_set.py): they come from PyPI
packages and are disjoint from these.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

SHORT_SIDE = 512

# package -> photographs inside it (paths relative to the package root)
PHOTOS = {
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
    "mate-backgrounds": [
        f"usr/share/backgrounds/mate/nature/{name}.jpg" for name in (
            "Aqua", "Blinds", "Dune", "FreshFlower", "Garden", "GreenMeadow", "LadyBird",
            "RainDrops", "Storm", "TwoWings", "Wood", "YellowFlower")
    ],
    "palapeli-data": [
        f"usr/share/palapeli/collection/{name}.jpg" for name in (
            "castle-maintenon", "cincinnati-bridge", "citrus-fruits", "european-honey-bee",
            "panther-chameleon-female")
    ],
    "plasma-workspace-wallpapers": [
        f"usr/share/wallpapers/{name}" for name in (
            "BytheWater/contents/images/1280x1024.jpg", "ColorfulCups/contents/images/2560x1600.jpg",
            "DarkestHour/contents/images/1280x1024.jpg", "EveningGlow/contents/images/1280x1024.jpg",
            "FallenLeaf/contents/images/1280x1024.jpg", "Grey/contents/images/1280x1024.jpg",
            "Kite/contents/images/1280x1024.jpg", "MilkyWay/contents/images/5120x2880.png",
            "OneStandsOut/contents/images/1280x1024.jpg", "Path/contents/images/1280x1024.jpg",
            "Volna/contents/images/5120x2880.jpg", "summer_1am/contents/images/1280x1024.jpg")
    ],
}


def run(cmd: list[str], cwd: Path) -> None:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} failed: {result.stderr.strip().splitlines()[-1:]}")


def photo_name(package: str, member: str) -> str:
    parts = Path(member).parts
    stem = parts[-4] if "contents" in parts else Path(member).stem  # plasma: folder is the name
    return f"{package}__{stem}.jpg"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to create (must not exist or be empty)")
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        sys.exit(f"error: {args.out} is not empty")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "LICENSES").mkdir(exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        run(["apt-get", "download", *PHOTOS], cwd=tmp)
        for deb in sorted(tmp.glob("*.deb")):
            run(["dpkg-deb", "-x", deb.name, "root"], cwd=tmp)
        root = tmp / "root"
        for package, members in PHOTOS.items():
            copyright_file = root / "usr/share/doc" / package / "copyright"
            if copyright_file.exists():
                shutil.copy(copyright_file, args.out / "LICENSES" / f"{package}.copyright")
            for member in members:
                src = root / member
                if not src.exists():
                    print(f"warning: {package}: {member} not found, skipped", file=sys.stderr)
                    continue
                with Image.open(src) as im:
                    im = im.convert("RGB")
                    scale = SHORT_SIDE / min(im.size)
                    if scale < 1:
                        im = im.resize((round(im.width * scale), round(im.height * scale)), Image.LANCZOS)
                    name = photo_name(package, member)
                    im.save(args.out / name, quality=95)
                rows.append({"file": name, "package": package, "path": "/" + member})
    with open(args.out / "SOURCES.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["file", "package", "path"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} photos written to {args.out}")


if __name__ == "__main__":
    main()
