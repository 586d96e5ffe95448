"""Assemble the training photo set from Debian packages (real photographs, no system install).

    python benchmarks/data/fetch_train_photos.py data/train-photos [--cache DIR] [--packages P ...]

Needs `apt-get` and `dpkg-deb` (Debian/Ubuntu; run `apt-get update` once first) and Pillow with
WebP and DDS support. The packages are fetched with `apt-get download` (no root needed) and
unpacked into a cache folder (`dpkg-deb -x`, or only the needed members for the large game
packages), so nothing is installed and their dependencies never come along.

Sources (one entry each in ``SOURCES``, ``photo_sources.py``, which says what each keeps and why):

* ``gcompris-qt-data`` — the photo sets of six activities, stored as WebP chunks inside Qt resource
  files; the cartoon activities are never read.
* ``lomiri-wallpapers-16.04`` / ``-20.04`` — landscape and nature photographs.
* ``opencv-doc`` — OpenCV's classic colour test photographs.
* ``stellarium-data`` — the photographed landscape panoramas (tiles stitched, cut to their opaque
  ground part); the rendered ocean, the fisheye, the planet renders and the night sky are left out.
* ``tuxpaint-stamps-default`` — photographed objects, cropped to their largest fully opaque
  rectangle so no invented background is trained on; cartoons and drawn stamps are left out.
* ``0ad-data`` — the photo-sourced terrain textures of the per-biome sets.
* ``supertuxkart-data`` — the photographic textures of the shared texture library.
* ``digikam-data`` — its one landscape photo and two photographed textures.

Inspected and not used (``NOT_USED``): ``gnome-backgrounds`` and ``ukui-wallpapers`` hold only
renders and illustrations.

Every candidate must be at least 200 px on its short side; exact duplicates (same pixels) and near
duplicates (recoloured or re-exported copies: same 16x16 grey thumbnail up to brightness and
contrast) are dropped. Each photo is scaled to a short side of at most 512 px (the trainer crops
128 px squares from short sides of 128–512 px, so nothing it uses is lost) and written as a
quality-95 RGB JPEG (``--quality``), with ``SOURCES.csv`` (file, package, origin) and the packages' copyright files
under ``LICENSES/``.

Never train on the evaluation photos (benchmarks/data/make_eval_set.py): they come from PyPI
packages and are disjoint from these.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image

# the selection rules live beside this script (run as a script, its folder is on sys.path)
from photo_sources import MIN_SHORT_SIDE, NOT_USED, SOURCES, Deduplicator, Source, scale_down, to_rgb, warn

# ---------------------------------------------------------------------------------------------
# fetching and writing

class FetchError(Exception):
    """A step that needs the system (apt-get, dpkg-deb, tar) failed; the message is one line."""


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def run(cmd: list[str], cwd: Path) -> None:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise FetchError(f"{' '.join(cmd)} failed: {last_line(result.stderr)}")


def extract_members(deb: Path, root: Path, members: tuple[str, ...]) -> None:
    """Only ``members`` of ``deb`` into ``root``: the game packages are gigabytes of which a
    fraction is used."""
    dpkg = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    tar = subprocess.run(["tar", "-x", "-C", str(root), "--wildcards", *members], stdin=dpkg.stdout,
                         capture_output=True, text=True)
    dpkg.stdout.close()
    dpkg_err = dpkg.stderr.read().decode(errors="replace")
    if dpkg.wait() != 0:
        raise FetchError(f"dpkg-deb --fsys-tarfile {deb.name} failed: {last_line(dpkg_err)}")
    if tar.returncode != 0:
        raise FetchError(f"tar -x {deb.name} failed: {last_line(tar.stderr)}")


def check_tools() -> None:
    for tool in ("apt-get", "dpkg-deb", "tar"):
        if shutil.which(tool) is None:
            raise FetchError(f"{tool} not found: this script needs a Debian or Ubuntu system "
                             "(apt-get, dpkg-deb, tar)")


def unpack(cache: Path, sources: list[Source]) -> Path:
    """Download and extract every package once into ``cache``; returns the extracted root. A
    package is re-extracted when its member list changed since the last run."""
    root = cache / "root"
    root.mkdir(parents=True, exist_ok=True)
    missing = [s.package for s in sources if not list(cache.glob(f"{s.package}_*.deb"))]
    if missing:
        check_tools()
        run(["apt-get", "download", *missing], cwd=cache)
    for source in sources:
        stamp = root / f".{source.package}.done"
        wanted = "\n".join(source.members) or "all"
        if stamp.exists() and stamp.read_text() == wanted:
            continue
        check_tools()
        debs = sorted(cache.glob(f"{source.package}_*.deb"))
        if not debs:
            raise FetchError(f"{source.package}: no .deb in {cache} after apt-get download")
        deb = debs[-1]
        if source.members:
            extract_members(deb, root, source.members)
        else:
            run(["dpkg-deb", "-x", str(deb), str(root)], cwd=cache)
        write_text(stamp, wanted)
    return root


def write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def save_jpeg(im: Image.Image, path: Path, quality: int = 95) -> None:
    """Written to a temp file and renamed, so an interrupted run leaves no truncated photo."""
    tmp = path.with_name(path.name + ".tmp")
    im.save(tmp, format="JPEG", quality=quality)
    os.replace(tmp, path)


def copy_licence(root: Path, package: str, out: Path) -> None:
    src = root / "usr/share/doc" / package / "copyright"
    if not src.exists():
        warn(f"{package}: no copyright file at /{src.relative_to(root)}")
        return
    dst = out / "LICENSES" / f"{package}.copyright"
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def write_sources(rows: list[dict], path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["file", "package", "origin"])
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)


def collect(root: Path, sources: list[Source], out: Path,
            quality: int = 95) -> tuple[list[dict], dict[str, tuple[int, int]]]:
    """Writes the kept photos of ``sources``; returns the SOURCES.csv rows and, per package,
    (candidates seen, photos kept)."""
    rows, counts, dedup = [], {}, Deduplicator()
    for source in sources:
        seen = kept = 0
        for photo in source.photos(root):
            seen += 1
            im = to_rgb(photo.image)
            if im is None or min(im.size) < MIN_SHORT_SIDE or not dedup.is_new(im):
                continue
            name = f"{source.package}__{photo.name}.jpg"
            save_jpeg(scale_down(im), out / name, quality)
            rows.append({"file": name, "package": source.package, "origin": photo.origin})
            kept += 1
        counts[source.package] = (seen, kept)
    return rows, counts


def pick_sources(names: list[str] | None) -> list[Source]:
    if not names:
        return list(SOURCES.values())
    for name in names:
        if name in NOT_USED:
            raise FetchError(f"{name} is not used: {NOT_USED[name]}")
        if name not in SOURCES:
            raise FetchError(f"unknown package {name!r}; known: {', '.join(SOURCES)}")
    return [SOURCES[name] for name in dict.fromkeys(names)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to create (must not exist or be empty)")
    parser.add_argument("--cache", type=Path, default=Path("data/deb-cache"),
                        help="where the .deb files are downloaded and unpacked (kept for reruns)")
    parser.add_argument("--packages", nargs="+", metavar="PACKAGE",
                        help=f"only these packages (default: all of {', '.join(SOURCES)})")
    parser.add_argument("--quality", type=int, default=95, choices=range(50, 101), metavar="50-100",
                        help="JPEG quality (default 95; 90 makes the set small enough to travel to a "
                             "GPU machine beside the checkout: scripts/gpu_session.sh)")
    args = parser.parse_args(argv)
    try:
        sources = pick_sources(args.packages)
        if args.out.exists() and any(args.out.iterdir()):
            raise FetchError(f"{args.out} is not empty")
        root = unpack(args.cache.resolve(), sources)
        (args.out / "LICENSES").mkdir(parents=True, exist_ok=True)
        for source in sources:
            copy_licence(root, source.package, args.out)
        rows, counts = collect(root, sources, args.out, args.quality)
        write_sources(rows, args.out / "SOURCES.csv")
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for package, (seen, kept) in counts.items():
        print(f"{package:26s} {seen:5d} candidates  {kept:4d} photos")
    print(f"{len(rows)} photos written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
