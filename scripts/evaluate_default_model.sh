#!/usr/bin/env bash
# Score the shipped default model (or CHECKPOINT) the way its model card reports it, and redraw
# the card's gallery:
#
#   bash scripts/evaluate_default_model.sh [CHECKPOINT]      (about 12 minutes on 2 CPU cores)
#
# Public evaluation photos (never trained on), every mask kind, 4 masks per photo and kind
# (centre holes are fixed: 1 per photo), seed 1; 128 px crops and whole photos; against OpenCV
# Telea and Navier-Stokes. Then the native object-hole setting (long side 1280, one object-sized
# hole + a stroke, 2 per photo, seed 0): the default fill (PatchMatch layout + detail step), and
# the model's own fill (--no-layout --no-detail), against Telea and PatchMatch, with the blind
# look-test page.
# Prints the model card's tables (scripts/model_card_tables.py).
set -euo pipefail
cd "$(dirname "$0")/.."
ckpt=${1:-inpaint/weights/default.pt}
[ -d data/eval ] || python benchmarks/data/make_eval_set.py data/eval
kinds=(--mask-kind center --mask-kind block --mask-kind region --mask-kind stroke
       --mask-kind thin --mask-kind medium --mask-kind thick)
common=(--checkpoint "$ckpt" --methods model,telea,ns --count-per-image 4 --seed 1 --overwrite --no-progress)
inpaint eval data/eval "${kinds[@]}" "${common[@]}" --size 128 --out reports/default-128
inpaint eval data/eval "${kinds[@]}" "${common[@]}" --native --out reports/default-native
objects=(--setting objects --checkpoint "$ckpt" --count-per-image 2 --seed 0 --overwrite --no-progress)
inpaint eval data/eval "${objects[@]}" --methods model,telea,patchmatch --blind 16 --out reports/default-objects
inpaint eval data/eval "${objects[@]}" --methods model,telea --no-layout --no-detail --blind 0 --gallery 0 \
    --out reports/default-objects-no-detail
python benchmarks/make_gallery.py reports/gallery.jpg --checkpoint "$ckpt"
python scripts/model_card_tables.py reports/default-128 reports/default-native reports/default-objects \
    reports/default-objects-no-detail
