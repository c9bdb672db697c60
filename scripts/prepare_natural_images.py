"""Rebuild ``data/natural_images/`` from the Debian packages and the scikit-image wheel it was taken from.

This is the record of how every bundled image was made (``data/natural_images/SOURCES.md`` lists the same
steps and the licences); the notebooks never run it. To re-run it, fetch the sources first::

    apt-get download plasma-workspace-wallpapers lomiri-wallpapers-16.04 lomiri-wallpapers-20.04 mate-backgrounds
    for f in *.deb; do dpkg -x "$f" debs/; done
    pip download --no-deps scikit-image==0.26.0 && unzip scikit_image-*.whl 'skimage/data/*' -d wheel/
    python scripts/prepare_natural_images.py debs/ wheel/ data/natural_images/

Steps for each image: decode, convert to 8-bit grey (ITU-R 601-2 luma, Pillow's ``convert("L")``), downsample by
an integer-ratio Lanczos resize, then crop 512 x 512 pixels. The crop is the one, on a 32-pixel grid, with the
most fine detail: the largest mean squared difference between the image and its Gaussian blur (2 px), which
keeps out sky, out-of-focus areas and smooth gradients. A crop box given in ``SOURCES`` overrides the search.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

SIDE = 512

#: name -> (path inside the unpacked sources, downsampling factor, fixed crop (x, y) or None for the search).
SOURCES = {
    "forest_path": ("debs/usr/share/wallpapers/Path/contents/images/2560x1600.jpg", 2, None),
    "moss": ("debs/usr/share/wallpapers/OneStandsOut/contents/images/2560x1600.jpg", 2, None),
    "stream_rocks": ("debs/usr/share/backgrounds/life_by_Aitzol_Berasategi.jpg", 3, None),
    # two crops of one photograph, overlapping by 48 columns: the rock face on the right, the meadow on the left
    "mountain_rocks": ("debs/usr/share/backgrounds/picosdeeuropa_by_Aitzol_Berasategi.jpg", 3, (560, 200)),
    "alpine_meadow": ("debs/usr/share/backgrounds/picosdeeuropa_by_Aitzol_Berasategi.jpg", 3, (0, 304)),
    "larch_forest": ("debs/usr/share/backgrounds/aitzgorri_by_Aitzol_Berasategi.jpg", 3, None),
    "foliage": ("debs/usr/share/backgrounds/Dragonfly_by_Bolly.jpg", 4, None),
    # the bark only: the search would include the bird and the blurred background right of the trunk
    "tree_bark": ("debs/usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg", 4, (16, 168)),
    "grass": ("wheel/skimage/data/grass.png", 1, None),
    "gravel": ("wheel/skimage/data/gravel.png", 1, None),
}


def detail_map(grey):
    """Squared difference between a grey image (float) and its 2-px Gaussian blur: local fine detail."""
    blurred = np.asarray(Image.fromarray(grey.astype(np.uint8)).filter(ImageFilter.GaussianBlur(2)), float)
    return (grey - blurred) ** 2


def best_crop(grey, side=SIDE, step=32):
    """Top-left corner (x, y), on a ``step`` grid, of the ``side`` x ``side`` crop with the most fine detail."""
    energy = detail_map(grey)
    integral = np.pad(energy.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    best, corner = -1.0, (0, 0)
    for y in range(0, grey.shape[0] - side + 1, step):
        for x in range(0, grey.shape[1] - side + 1, step):
            total = (integral[y + side, x + side] - integral[y, x + side] - integral[y + side, x]
                     + integral[y, x])
            if total > best:
                best, corner = total, (x, y)
    return corner


def prepare(path, factor, crop=None):
    """Grey, downsampled and cropped image (uint8, 512 x 512) and its crop corner in the downsampled image."""
    with Image.open(path) as im:
        grey = im.convert("L")
    if factor != 1:
        size = (round(grey.width / factor), round(grey.height / factor))
        grey = grey.resize(size, Image.LANCZOS)
    array = np.asarray(grey, dtype=float)
    x, y = best_crop(array) if crop is None else crop
    return np.asarray(grey)[y:y + SIDE, x:x + SIDE], (x, y)


def main(debs, wheel, out):
    roots = {"debs": Path(debs), "wheel": Path(wheel)}
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, (rel, factor, crop) in SOURCES.items():
        root, _, rest = rel.partition("/")
        image, corner = prepare(roots[root] / rest, factor, crop)
        Image.fromarray(image).save(out / f"{name}.png", optimize=True)
        print(f"{name}: 1/{factor:g}, crop {corner}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
