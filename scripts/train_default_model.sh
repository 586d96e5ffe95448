#!/usr/bin/env bash
# Rebuild the default model shipped as inpaint/weights/default.pt, from public photos, on a CPU.
#
#   bash scripts/train_default_model.sh [STEPS]      (default 25000: the shipped model; about 1 h on 2 CPU cores)
#
# The recipe (see docs/architecture.md and the README's "Default model" section): a small U-Net
# that sees the photo pre-filled by OpenCV Telea plus the mask, and learns a correction of that
# fill (residual), with an L1 loss on mixed holes (blocks, noise regions, strokes). Starting from
# the classical fill lets it keep Telea where Telea is right and improve where it is not.
set -euo pipefail
steps=${1:-25000}
cd "$(dirname "$0")/.."
[ -d data/train-photos ] || python benchmarks/data/fetch_train_photos.py data/train-photos
inpaint train data/train-photos --out runs/default --overwrite \
    --mask mixed --generator unet --ngf 16 --image-size 128 \
    --prefill telea --residual --mask-channel --rec-loss l1 --adv-weight 0 \
    --batch-size 16 --lr 0.001 --steps "$steps" --threads 1 --seed 0
python scripts/export_model.py runs/default/last.pt inpaint/weights/default.pt
