#!/usr/bin/env bash
# Rebuild the shipped colourisation model, inpaint/weights/colorize.pt, on a CPU:
#
#   bash scripts/train_colorizer.sh [STEPS]   (default 3600: the shipped model; ~37 min alone on
#                                              2 CPU cores)
#
# The recipe (inpaint/weights/COLORIZE_CARD.md says why): --task colorize's pix2pix defaults (U-Net
# Y → CbCr with bilinear up-sampling, conditional PatchGAN with instance norm, hinge loss, same
# learning rate for G and D) with a small generator (ngf 16), L1 : adversarial 0.98 : 0.02, no
# dropout, and crops from photos scaled to short sides 128-176 px, so that a 128-px crop shows most
# of the photo, as `inpaint colorize` shows the model the whole photo at 128 px;
# a constant learning rate, and the model is the moving average of the generator's weights (--ema 0.999).
set -euo pipefail
steps=${1:-3600}
cd "$(dirname "$0")/.."
[ -d data/train-photos ] || python benchmarks/data/fetch_train_photos.py data/train-photos
inpaint train --task colorize data/train-photos --out runs/col --overwrite \
    --image-size 128 --ngf 16 --ndf 32 --scale-min 128 --scale-max 176 --dropout 0 \
    --rec-weight 0.98 --adv-weight 0.02 --batch-size 16 --lr 0.0004 --lr-schedule constant \
    --ema 0.999 --steps "$steps" --threads 2 --workers 0 --seed 0 \
    --log-every 50 --val-every 600 --ckpt-every 600 --sample-every 600
python scripts/export_model.py runs/col/last.pt inpaint/weights/colorize.pt
