#!/usr/bin/env bash
# One device call that trains three models side by side on one GPU, for a session lent one:
#   sharp     scripts/train_sharp_gpu.sh as it is (256-px adversarial inpainting recipe)
#   sharp-fm  the same with feature matching and a stronger adversarial term
#             (--fm-weight 10 --adv-weight 0.03 --rec-weight 0.97)
#   col       the colouriser's recipe (scripts/train_colorizer.sh) at batch 64 on the GPU
#
#   bash scripts/gpu_session.sh [MINUTES] [OUT]     (defaults: 7 minutes of steps each, runs/gpu)
#
# Through the device tool (data/train-photos travels in carry; 44 MiB):
#   run(command='bash scripts/gpu_session.sh 7 $OUT', carry=["data/train-photos"], timeout_s=570)
# OUT receives sharp.pt, sharp-fm.pt, col.pt (exported generators, ≤ 16 MiB each), logs.tar.gz
# (each run's log and metrics.jsonl, nvidia-smi samples) and summary.txt. Three processes, so the
# GPU's time is shared: a small U-Net leaves it idle between one process's kernel launches.
# A run that fails in its first 3 minutes is started once more without bf16 autocast.
# WORK=DIR keeps the three run folders there (full checkpoints, too large to come back): a second
# call while the machine is still warm (30 s) can go on with
#   python3 -m cli.main train --resume DIR/sharp --max-minutes 4 --workers 12
# The first session to run this (see MODEL_CARD.md) got 4,077 steps of each inpainting run and
# 6,502 of the colouriser in 7 minutes, then 3,317 more of `sharp` alone in 3.8.
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
photos=${PHOTOS:-data/train-photos}
start=$(date +%s)
if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv -l 5 > "$work/smi.csv" 2>&1 &
    smi=$!
fi

attempt() {  # NAME CMD...: run CMD; if it fails within 3 minutes with --amp, run it once more with --no-amp
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
    WORKERS=${WORKERS:-4} DEVICE=$device EXTRA="$extra" bash scripts/train_sharp_gpu.sh "$m" "$work/$name" "$out/$name.pt"
}

colorize() {
    local m=$minutes amp=--amp batch=64 workers=2
    [ -n "${NOAMP:-}" ] && { m=$(python3 -c "print(max(1.0, $minutes - ($(date +%s) - $start) / 60 - 0.5))"); amp=--no-amp; }
    [ "$device" = cpu ] && { amp=--no-amp batch=2 workers=0; }
    python3 -m cli.main train --task colorize "$photos" --out "$work/col" --overwrite \
        --image-size 128 --ngf 16 --ndf 32 --scale-min 128 --scale-max 176 --dropout 0 \
        --rec-weight 0.98 --adv-weight 0.02 --batch-size $batch --lr 0.0004 --lr-schedule constant \
        --ema 0.999 --steps ${STEPS:-100000} --max-minutes "$m" --device "$device" $amp --workers $workers \
        --seed 0 --log-every 200 --val-every 2000 --ckpt-every 2000 --sample-every 0 --keep 2 &&
    python3 scripts/export_model.py "$work/col/last.pt" "$out/col.pt"
}

attempt sharp sharp sharp "" & a=$!
attempt sharp-fm sharp sharp-fm "--fm-weight 10 --adv-weight 0.03 --rec-weight 0.97" & b=$!
attempt col colorize & c=$!
wait $a $b $c
[ -n "${smi:-}" ] && kill $smi 2>/dev/null
for r in sharp sharp-fm col; do
    [ -f "$work/$r/metrics.jsonl" ] && cp "$work/$r/metrics.jsonl" "$work/$r.metrics.jsonl"
done
{
    cat "$work/rc.txt"
    for r in sharp sharp-fm col; do
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
