#!/usr/bin/env bash
# Rebuild the default model shipped as inpaint/weights/default.pt, from public photos, on a CPU.
#
#   bash scripts/train_default_model.sh [STEPS]   (default 36000: the shipped model; ~75 min on 2 CPU cores)
#
# The recipe (inpaint/weights/MODEL_CARD.md explains each choice and what lost): a small U-Net
# that sees the photo pre-filled by OpenCV Telea plus the mask and learns a correction of that
# fill (residual), with an L1 loss on a mixture of centre squares, blocks, noise regions and
# strokes, cropped from photos scaled to short sides of 128-448 px, and a cosine learning-rate
# decay. One compute thread plus one data-loading process keeps both cores busy.
set -euo pipefail
steps=${1:-36000}
cd "$(dirname "$0")/.."
# the shipped model's four packages (the script's default now fetches more, see MODEL_CARD.md)
[ -d data/train-photos ] || python benchmarks/data/fetch_train_photos.py data/train-photos \
    --packages gcompris-qt-data lomiri-wallpapers-16.04 lomiri-wallpapers-20.04 opencv-doc
inpaint train data/train-photos --out runs/default --overwrite \
    --mask mixed --mask-mix center=1,block=1,region=1,stroke=1,thin=0.5,medium=0.5,thick=0.5 \
    --generator unet --ngf 16 --image-size 128 --scale-min 128 --scale-max 448 \
    --prefill telea --residual --mask-channel --dropout 0 --rec-loss l1 --adv-weight 0 \
    --batch-size 16 --lr 0.001 --lr-schedule cosine --steps "$steps" \
    --threads 1 --workers 1 --seed 0 --val-every 2000 --ckpt-every 2000 --sample-every 4000
python scripts/export_model.py runs/default/last.pt inpaint/weights/default.pt
