"""What the training photo set takes from each Debian package, and the image rules it applies.

Pure selection logic, no system calls: ``SOURCES`` (one :class:`Source` per package — the tar
members to extract and a function from the extracted root to its photos), ``NOT_USED`` (packages
inspected and rejected, with the reason), and the helpers they share (RGB conversion, opaque
crops, panorama stitching and splitting, near-duplicate detection, scaling). Fetching, unpacking
and writing are ``fetch_train_photos.py``'s job.
"""

from __future__ import annotations

import configparser
import hashlib
import io
import math
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

import numpy as np
from PIL import Image

SHORT_SIDE = 512
MIN_SHORT_SIDE = 200
# two photos whose normalised 16x16 grey thumbnails correlate above this are the same picture
NEAR_DUPLICATE_CORRELATION = 0.97
# a wide crop is cut into pieces no wider than this many heights, so one panorama does not count as
# one photo among hundreds while holding the pixels of ten
MAX_ASPECT = 2.0


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


class Photo(NamedTuple):
    name: str          # file name in the output folder (without the package prefix or suffix)
    origin: str        # where in the package it came from
    image: Image.Image


@dataclass(frozen=True)
class Source:
    package: str
    photos: Callable[[Path], Iterator[Photo]]   # extracted package root -> its photos
    # tar members to extract (dpkg-deb --fsys-tarfile | tar --wildcards); empty: the whole package
    members: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------
# pure image helpers

def to_rgb(im: Image.Image) -> Image.Image | None:
    """The photo as RGB, or None for greyscale (L, LA, I, F): the set is colour photographs."""
    if im.mode in ("L", "LA", "I", "I;16", "F", "1"):
        return None
    return im.convert("RGB")


def opaque_mask(im: Image.Image) -> np.ndarray:
    """True where a pixel is fully opaque (every pixel for images without transparency)."""
    if im.mode not in ("RGBA", "LA", "PA") and "transparency" not in im.info:
        return np.ones((im.height, im.width), bool)
    return np.asarray(im.convert("RGBA"))[..., 3] == 255


def largest_rectangle(mask: np.ndarray, min_side: int = 1, block: int = 1):
    """``(left, top, right, bottom)`` of the largest all-True rectangle with both sides at least
    ``min_side``, or None. ``block`` > 1 searches a min-pooled mask (a block counts only when all
    its pixels do), ``block``² times faster and never wrong, at most ``block`` px short per side."""
    if block > 1:
        h, w = mask.shape[0] // block, mask.shape[1] // block
        mask = mask[:h * block, :w * block].reshape(h, block, w, block).all(axis=(1, 3))
    need = math.ceil(min_side / block)
    heights = np.zeros(mask.shape[1] + 1, int)
    best, box = 0, None
    for y, row in enumerate(mask):
        heights[:-1] = np.where(row, heights[:-1] + 1, 0)
        stack: list[tuple[int, int]] = []           # (start column, height), heights increasing
        for x, height in enumerate(heights.tolist()):
            start = x
            while stack and stack[-1][1] >= height:
                start, h = stack.pop()
                if h >= need and x - start >= need and h * (x - start) > best:
                    best, box = h * (x - start), (start, y - h + 1, x, y + 1)
            stack.append((start, height))
    if box is None:
        return None
    return tuple(v * block for v in box)


def opaque_crop(im: Image.Image, min_side: int = MIN_SHORT_SIDE) -> Image.Image | None:
    """The largest fully opaque rectangle of ``im`` (sides >= ``min_side``), or None: a cut-out
    object or a panorama with its sky removed keeps only real pixels, no invented background."""
    box = largest_rectangle(opaque_mask(im), min_side, block=4 if min(im.size) >= 400 else 1)
    return None if box is None else im.crop(box)


def split_wide(im: Image.Image, max_aspect: float = MAX_ASPECT) -> list[Image.Image]:
    """``im`` cut into equal side-by-side pieces no wider than ``max_aspect`` heights."""
    long_side, short_side = max(im.size), min(im.size)
    pieces = math.ceil(long_side / (max_aspect * short_side))
    if pieces <= 1:
        return [im]
    step = long_side / pieces
    if im.width >= im.height:
        return [im.crop((round(i * step), 0, round((i + 1) * step), im.height)) for i in range(pieces)]
    return [im.crop((0, round(i * step), im.width, round((i + 1) * step))) for i in range(pieces)]


def stitch(tiles: list[Image.Image]) -> Image.Image:
    """Side tiles of a panorama pasted left to right (alpha kept)."""
    out = Image.new("RGBA", (sum(t.width for t in tiles), max(t.height for t in tiles)))
    x = 0
    for tile in tiles:
        out.paste(tile.convert("RGBA"), (x, 0))
        x += tile.width
    return out


def thumbnail_signature(im: Image.Image) -> np.ndarray:
    """Zero-mean, unit-norm 16x16 grey thumbnail: equal for copies that differ only in colour,
    brightness, contrast or compression."""
    v = np.asarray(im.convert("L").resize((16, 16), Image.BILINEAR), np.float64).ravel()
    v -= v.mean()
    norm = np.linalg.norm(v)
    return v / norm if norm > 0 else v


class Deduplicator:
    """Remembers kept photos; ``is_new`` refuses exact and near duplicates of earlier ones."""

    def __init__(self, threshold: float = NEAR_DUPLICATE_CORRELATION):
        self.threshold = threshold
        self.digests: set[str] = set()
        self.signatures: list[np.ndarray] = []

    def is_new(self, im: Image.Image) -> bool:
        digest = hashlib.sha256(im.tobytes()).hexdigest()
        if digest in self.digests:
            return False
        sig = thumbnail_signature(im)
        # a flat image (zero signature) has no structure to compare; only exact copies count
        if sig.any() and self.signatures and max(float(s @ sig) for s in self.signatures) > self.threshold:
            return False
        self.digests.add(digest)
        if sig.any():
            self.signatures.append(sig)
        return True


def scale_down(im: Image.Image, short_side: int = SHORT_SIDE) -> Image.Image:
    scale = short_side / min(im.size)
    if scale >= 1:
        return im
    return im.resize((round(im.width * scale), round(im.height * scale)), Image.LANCZOS)


# ---------------------------------------------------------------------------------------------
# per-package selectors

def open_image(path: Path | io.BytesIO) -> Image.Image:
    with Image.open(path) as im:
        im.load()
        return im.copy()


def listed_files(prefix: str, names: tuple[str, ...]) -> Callable[[Path], Iterator[Photo]]:
    """Selector for photos named one by one (``prefix`` + name, relative to the package root)."""
    def photos(root: Path) -> Iterator[Photo]:
        for name in names:
            member = prefix + name
            src = root / member
            if not src.exists():
                warn(f"{member} not found, skipped")
                continue
            yield Photo(Path(name).with_suffix("").as_posix().replace("/", "_"), "/" + member,
                        open_image(src))
    return photos


# gcompris-qt-data: the activities whose images are photographs (the others are drawings)
GCOMPRIS_ACTIVITIES = ("erase", "explore_monuments", "explore_world_animals", "explore_farm_animals",
                       "explore_world_music", "categorization")
WEBP_CHUNK = re.compile(rb"RIFF(....)WEBP", re.S)


def webp_images(rcc: Path) -> Iterator[Image.Image]:
    """Every decodable WebP image stored in a Qt resource file, in file order."""
    data = rcc.read_bytes()
    for match in WEBP_CHUNK.finditer(data):
        length = int.from_bytes(match.group(1), "little")
        try:
            yield open_image(io.BytesIO(data[match.start():match.start() + 8 + length]))
        except OSError:
            continue


def gcompris_photos(root: Path) -> Iterator[Photo]:
    for activity in GCOMPRIS_ACTIVITIES:
        rcc = root / "usr/share/gcompris-qt/rcc" / f"{activity}.rcc"
        for i, im in enumerate(webp_images(rcc)):
            # the RGBA images of these activities are cut-outs and icons, not photos
            if im.mode == "RGB":
                yield Photo(f"{activity}_{i:03d}", f"/{rcc.relative_to(root)}#webp{i}", im)


# lomiri-wallpapers: the abstract umang_*, the Fossa illustration and the painting are left out
LOMIRI_16 = tuple(f"{name}.jpg" for name in (
    "Bridge_by_Sander_Klootwijk", "Dragonfly_by_Bolly", "Picture_0B_by_freespace",
    "Picture_1A_by_freespace", "Wine_by_Jakkub_Mede", "aitzgorri_by_Aitzol_Berasategi",
    "analogpattern_by_Peter_Nerlich", "free_by_Peter_Nerlich", "friends_by_Aitzol_Berasategi",
    "greentock_by_Peter_Nerlich", "life_by_Aitzol_Berasategi",
    "picosdeeuropa_by_Aitzol_Berasategi", "seeding_by_Clements_Engelhardt",
    "sunset_by_Aitzol_Berasategi"))
LOMIRI_20 = ("Infinite-Sea_by_Aury88.jpg", "Kleiber_by_Lukas_Baubkus.jpg")

# opencv-doc: renders, cartoons, greyscale calibration shots and near-duplicate stereo pairs are out
OPENCV = ("aero1.jpg", "aero3.jpg", "aloeL.jpg", "apple.jpg", "baboon.jpg", "board.jpg",
          "building.jpg", "butterfly.jpg", "chicky_512.png", "ela_original.jpg", "fruits.jpg",
          "graf1.png", "home.jpg", "leuvenA.jpg", "messi5.jpg", "orange.jpg", "rubberwhale1.png",
          "squirrel_cls.jpg", "stuff.jpg")

# stellarium-data: landscapes photographed on site. Left out: ocean (rendered water), trees (a
# fisheye that is mostly masked sky), moon (greyscale), the planet and sun renders, geneva and zero
# (horizon polygons, no image), guereins (a real photo, but its opaque ground band is 145 px high,
# under MIN_SHORT_SIDE), and the night-sky/nebula/planet textures elsewhere in the package.
STELLARIUM_LANDSCAPES = ("garching", "hurricane", "grossmugl", "mars")
# spherical maps stretch towards the nadir; keep the ground down to this many degrees below horizon
STELLARIUM_MAX_DEPTH = 60.0


def landscape_ini(folder: Path) -> configparser.SectionProxy:
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(folder / "landscape.ini", encoding="utf-8")
    return ini["landscape"]


def spherical_rows(height: int, top: float, bottom: float, depth: float) -> tuple[int, int]:
    """Rows of an equirectangular map spanning ``top``..``bottom`` degrees that lie between the
    top and ``depth`` degrees below the horizon."""
    last = (top + depth) / (top - bottom) * height
    return 0, max(0, min(height, round(last)))


def landscape_image(folder: Path) -> Image.Image | None:
    """The landscape's ground photo with alpha: side tiles stitched in order (old_style) or the
    spherical map limited to STELLARIUM_MAX_DEPTH below the horizon."""
    spec = landscape_ini(folder)
    kind = spec.get("type")
    if kind == "old_style":
        count = spec.getint("nbsidetex")
        return stitch([open_image(folder / spec[f"tex{i}"]) for i in range(count)])
    if kind == "spherical":
        im = open_image(folder / spec["maptex"]).convert("RGBA")
        top, bottom = spec.getfloat("maptex_top", 90.0), spec.getfloat("maptex_bottom", -90.0)
        first, last = spherical_rows(im.height, top, bottom, STELLARIUM_MAX_DEPTH)
        return im.crop((0, first, im.width, last))
    return None


def stellarium_photos(root: Path) -> Iterator[Photo]:
    base = root / "usr/share/stellarium/landscapes"
    for name in STELLARIUM_LANDSCAPES:
        im = landscape_image(base / name)
        ground = None if im is None else opaque_crop(im)
        if ground is None:
            warn(f"stellarium-data: {name}: no opaque part of {MIN_SHORT_SIDE} px, skipped")
            continue
        for i, piece in enumerate(split_wide(ground)):
            yield Photo(f"{name}_{i}", f"/usr/share/stellarium/landscapes/{name}#part{i}", piece)


# tuxpaint-stamps-default: PNG stamps outside the cartoon/ folders are photographs, except these
# drawings; "_mirror"/"_flip" files are mirrored copies of other stamps
TUXPAINT_STAMPS = "usr/share/tuxpaint/stamps"
TUXPAINT_DRAWN = frozenset({"seasonal/halloween/jackolantern_mean.png", "symbols/clockface.png"})


def is_tuxpaint_photo(relative: str) -> bool:
    parts = relative.split("/")
    return ("cartoon" not in parts and relative not in TUXPAINT_DRAWN
            and not re.search(r"_(mirror|flip)\.png$", relative) and relative.endswith(".png"))


def tuxpaint_photos(root: Path) -> Iterator[Photo]:
    base = root / TUXPAINT_STAMPS
    for path in sorted(base.rglob("*.png")):
        relative = path.relative_to(base).as_posix()
        if not is_tuxpaint_photo(relative):
            continue
        with Image.open(path) as im:
            if min(im.size) < MIN_SHORT_SIDE:      # cheap header check before decoding
                continue
        crop = opaque_crop(open_image(path))
        if crop is not None:
            yield Photo(relative[:-4].replace("/", "_"), f"/{TUXPAINT_STAMPS}/{relative}", crop)


# 0ad-data: the terrain textures of the per-biome folders are made from photographs. Left out: the
# older textures at the top of types/ (many painted or blended), normal/specular maps, the _wet
# recolours, water/, and these: flat snow, a rendered ice sheet, a painted coral and the blotchy
# painted "flora" ground cover (sudd's are recolours of sahara's). The biomes reuse one photo under
# several names, recoloured; the near-duplicate rule keeps the first of each.
ZERO_AD_ZIP = "usr/share/games/0ad/mods/public/public.zip"
ZERO_AD_TERRAIN = re.compile(r"art/textures/terrain/types/(?P<biome>[a-z_]+)/(?P<name>[^/]+)\.png\.cached\.dds")
ZERO_AD_MAPS = re.compile(r"_(norm|spec|ao)(_|$)|_wet$")
ZERO_AD_LEFT_OUT = frozenset({
    "alpine_arctic/snow_01", "alpine_arctic/snow_02", "alpine_arctic/ice_01",
    "aegean_anatolia/ocean_coral_01", *(f"{biome}/flora_0{i}" for biome in ("sahara", "sudd") for i in (1, 2, 3))})


def zero_ad_texture(member: str) -> str | None:
    """``biome/name`` of a kept terrain texture in public.zip, else None."""
    match = ZERO_AD_TERRAIN.fullmatch(member)
    if not match or match["biome"] == "water" or ZERO_AD_MAPS.search(match["name"]):
        return None
    key = f"{match['biome']}/{match['name']}"
    return None if key in ZERO_AD_LEFT_OUT else key


def zero_ad_photos(root: Path) -> Iterator[Photo]:
    with zipfile.ZipFile(root / ZERO_AD_ZIP) as archive:
        for member in sorted(archive.namelist()):
            key = zero_ad_texture(member)
            if key:
                im = open_image(io.BytesIO(archive.read(member)))
                yield Photo(key.replace("/", "_"), f"/{ZERO_AD_ZIP}#{member}", im)


# supertuxkart-data: photographic textures of data/textures, picked by eye from all 534 with a short
# side >= 200. Left out: character/kart skins, signs, logos, icons, foliage cut-outs, normal and
# gloss maps, skies (rendered), the stylised or painted generic materials, and recoloured copies
# (hacienda_ground = castelwall, grass_dark = grass2, rockwaterfall = rockMountain).
SUPERTUXKART = (
    "HortonRockWall.jpg", "HortonRockWall2.jpg", "Paving_stones_2.jpg", "TiZeta_ivy.png",
    "Tizeta_grey1.png", "black_rockMountain.jpg", "blackrock.jpg", "canyon.jpg", "canyon_boards.png",
    "canyon_dirt_road.jpg", "castelwall.jpg", "city_bricks.png", "city_ground.jpg", "city_rock.jpg",
    "city_tree.jpg", "concrete2.png", "crate1_diffuse.jpg", "crate2_diffuse.jpg",
    "cracked-earth-texture.jpg", "dark-wall-wood.png", "dirt.jpg", "earth.png", "garagedoor.jpg",
    "grass2.jpg", "hd_beach_01_d.png",
    "hd_palmTreeBark_a_Albedo.png", "hd_rock_01_d.png", "oldWood.png", "palmBark.jpg",
    "racetrack_grass.jpg", "ribbed_steel.jpg", "road_dirt.jpg", "rock.jpg", "rockMountain.jpg",
    "rockTograss.jpg", "rock_mountain.jpg", "rockwall.jpg", "roof.png", "snowrock.jpg",
    "stk_generic_brickRoad_a.png", "stk_generic_oldbricks_a.png", "stk_generic_rock_a.png",
    "stk_generic_wallRock_a.png", "stk_generic_Stucco_a.png", "stk_generic_cardboard_a.png",
    "stk_karstRock_a.png", "stk_metalDoor_a.png", "stklama_road_a.png", "stktex_cliff_a.png",
    "stktex_generic_WoodC.png", "stktex_generic_WoodG.png", "stktex_generic_concreteA.png",
    "stktex_generic_earth_a.png", "stktex_generic_gravelA.png", "stktex_generic_rockA.png",
    "stktex_generic_roots_a.png", "stktex_generic_underwaterRock_a.png",
    "stktex_generic_waterRockA.png", "stktex_treeBark_b.png", "tiles.png", "to_black_rockMountain.jpg",
    "tree_cut.jpg", "woodBridge.jpg", "wood_planks1.jpg", "tarmac.jpg")

# digikam-data: everything else is icons, UI frames, film strips, LUTs and greyscale filter textures
DIGIKAM = ("about/images/body-background.jpg", "data/leaf-pattern.png",
           "themes/html5responsive/resources/images/BrownCard/brownCard.png")


def doc(package: str) -> str:
    return f"./usr/share/doc/{package}/*"


SOURCES: dict[str, Source] = {s.package: s for s in (
    Source("gcompris-qt-data", gcompris_photos),
    Source("lomiri-wallpapers-16.04", listed_files("usr/share/backgrounds/", LOMIRI_16)),
    Source("lomiri-wallpapers-20.04", listed_files("usr/share/backgrounds/", LOMIRI_20)),
    Source("opencv-doc", listed_files("usr/share/doc/opencv-doc/examples/data/", OPENCV)),
    Source("stellarium-data", stellarium_photos,
           ("./usr/share/stellarium/landscapes/*", doc("stellarium-data"))),
    Source("tuxpaint-stamps-default", tuxpaint_photos,
           (f"./{TUXPAINT_STAMPS}/*.png", doc("tuxpaint-stamps-default"))),
    Source("0ad-data", zero_ad_photos, (f"./{ZERO_AD_ZIP}", doc("0ad-data"))),
    Source("supertuxkart-data",
           listed_files("usr/share/games/supertuxkart/data/textures/", SUPERTUXKART),
           ("./usr/share/games/supertuxkart/data/textures/*", doc("supertuxkart-data"))),
    Source("digikam-data", listed_files("usr/share/digikam/", DIGIKAM)),
)}

# inspected, nothing kept: named so a request for them gets a reason, not "unknown package"
NOT_USED = {
    "gnome-backgrounds": "43.1 holds only renders and SVG illustrations, no photographs",
    "ukui-wallpapers": "holds only renders and illustrations, no photographs",
}
