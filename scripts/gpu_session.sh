#!/usr/bin/env bash
# One device call for a session lent a GPU: two runs of the 256-px adversarial inpainting recipe
# (scripts/train_sharp_gpu.sh) side by side on the one GPU:
#   sharp     the recipe as it is (rec : adv 0.99 : 0.01), going on from the generator the first
#             GPU session trained (checkpoints/sharp256.pt: 7,394 steps of batch 64; its
#             discriminator starts afresh)
#   sharp-bl  the recipe from scratch with a bilinear decoder (--upsample bilinear): the committed
#             generator's own fill shows a fine horizontal stripe grid, the transposed
#             convolutions' checkerboard (Odena et al. 2016), which bilinear up-sampling + a 3x3
#             conv cannot make; it cannot start from sharp256.pt (other layers)
#
#   bash scripts/gpu_session.sh [MINUTES] [OUT]     (defaults: 7 minutes of steps each, runs/gpu)
#       INIT=FILE starts `sharp` from another generator, INIT= from scratch; WORKERS=N loader
#       workers per run (default 7); DEVICE=cpu, PHOTOS=DIR, STEPS=N as train_sharp_gpu.sh
#
# Through the device tool, with the training photos at JPEG quality 90 so that they and the
# checkout fit the 64 MiB that travels (32 MiB; the same file names, so the same validation split:
# `python benchmarks/data/fetch_train_photos.py data/gpu-photos --quality 90`, 20 s from the cache):
#   run(command='PHOTOS=data/gpu-photos bash scripts/gpu_session.sh 7 $OUT',
#       carry=["data/gpu-photos"], timeout_s=560)
# OUT receives sharp.pt and sharp-bl.pt (exported generators, ≤ 16 MiB each), logs.tar.gz (each
# run's log and metrics.jsonl, nvidia-smi samples) and summary.txt. Two processes, so the GPU's
# time is shared: a small U-Net leaves it idle between one process's kernel launches.
# A run that fails in its first 3 minutes is started once more without bf16 autocast.
# WORK=DIR keeps the run folders there (full checkpoints, too large to come back): a second
# call while the machine is still warm (30 s) can go on with
#   python3 -m cli.main train --resume DIR/sharp --max-minutes 4 --workers 14
# Score the returned models here with --no-layout --no-detail as well as the defaults: a right
# 256-px fill wins the blind look only without those two steps (MODEL_CARD.md, "the oracle").
#
# The first session to run it (MODEL_CARD.md) ran three processes from scratch: these two (then
# with adv 0.03) and the colouriser at batch 64, 4 / 4 / 2 workers: 4,077 and 3,818 steps and 6,502
# in 7 minutes; then 3,317 more of `sharp` alone in 3.8 (--resume, 12 workers) gave sharp256.pt.
# The steps waited for data 40-57 % of the time, mostly at loader-pass starts (fixed since:
# inpaint/train/loop.py PASS_BATCHES). The colouriser lost to the shipped one (COLORIZE_CARD.md).
set -uo pipefail
minutes=${1:-7}
out=${2:-runs/gpu}
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -n "${WORK:-}" ]; then  # kept: a second call on the still-warm machine can --resume a run there
    work=$WORK; mkdir -p "$work"
else
    work=$(mktemp -d /tmp/gpu_session.XXXX); trap 'rm -rf "$work"' EXIT
fi
device=${DEVICE:-cuda}
start=$(date +%s)
if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv -l 5 > "$work/smi.csv" 2>&1 &
    smi=$!
fi

attempt() {  # NAME CMD...: run CMD; if it fails within 3 minutes, once more without bf16 autocast
    local name=$1; shift
    "$@" > "$work/$name.log" 2>&1
    local rc=$?
    if [ $rc -ne 0 ] && [ $(( $(date +%s) - start )) -lt 180 ]; then
        echo "== retry without bf16 autocast (rc $rc)" >> "$work/$name.log"
        NOAMP=1 "$@" >> "$work/$name.log" 2>&1
        rc=$?
    fi
    echo "$name rc=$rc after $(( $(date +%s) - start )) s" >> "$work/rc.txt"
}

sharp() {  # NAME EXTRA
    local name=$1 extra=$2
    local m=$minutes
    [ -n "${NOAMP:-}" ] && { m=$(python3 -c "print(max(1.0, $minutes - ($(date +%s) - $start) / 60 - 0.5))"); extra="$extra --no-amp"; }
    WORKERS=${WORKERS:-7} DEVICE=$device EXTRA="$extra" bash scripts/train_sharp_gpu.sh "$m" "$work/$name" "$out/$name.pt"
}

init=${INIT-checkpoints/sharp256.pt}
from=""
[ -n "$init" ] && from="--init $init"
attempt sharp sharp sharp "$from" & a=$!
attempt sharp-bl sharp sharp-bl "--upsample bilinear" & b=$!
wait $a $b
[ -n "${smi:-}" ] && kill $smi 2>/dev/null
for r in sharp sharp-bl; do
    [ -f "$work/$r/metrics.jsonl" ] && cp "$work/$r/metrics.jsonl" "$work/$r.metrics.jsonl"
done
{
    cat "$work/rc.txt"
    for r in sharp sharp-bl; do
        echo "== $r"; grep -E "^note|Error|error|Traceback" "$work/$r.log" | tail -5
        [ -f "$work/$r.metrics.jsonl" ] && python3 - "$work/$r.metrics.jsonl" <<'PY'
import json, sys
rows = [json.loads(x) for x in open(sys.argv[1])]
tr = [r for r in rows if r.get("kind") == "train"]
va = [r for r in rows if r.get("kind") == "val"]
if tr:
    t = tr[-1]
    print(f"last train row: step {t.get('step')}, images/s {t.get('images_per_s', 0):.0f}, "
          f"compute share {t.get('compute_share', 0):.0%}")
for v in va:
    print("val", {k: (round(x, 3) if isinstance(x, float) else x) for k, x in v.items()})
PY
    done
} > "$out/summary.txt" 2>&1
(cd "$work" && tar -czf "$out/logs.tar.gz" --ignore-failed-read rc.txt smi.csv ./*.log ./*.metrics.jsonl ./*/config.yaml 2>/dev/null)
cat "$out/summary.txt"
