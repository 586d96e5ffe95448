"""What a run reports: tqdm progress (stderr), ``metrics.jsonl``, optional TensorBoard, and PNG
sample grids. Only the main process (rank 0) creates a :class:`RunLog` that writes anything."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from inpaint.atomic import append_line, atomic_open, atomic_write_text
from inpaint.tensors import tensor_to_image


def _tensorboard_writer(folder: Path):
    """A SummaryWriter when the optional ``tensorboard`` package is installed, else None."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except Exception:  # ImportError, or a broken optional install: TensorBoard is optional
        return None
    return SummaryWriter(log_dir=str(folder))


class RunLog:
    """Progress bar + metrics for one run folder. ``enabled=False`` (ranks > 0) → silent no-op."""

    def __init__(self, out: Path, total_steps: int, start_step: int, enabled: bool = True):
        self.out = Path(out)
        self.enabled = enabled
        self.bar = tqdm(total=total_steps, initial=start_step, file=sys.stderr, dynamic_ncols=True,
                        unit="step", disable=not enabled, desc="train")
        self.tb = _tensorboard_writer(self.out / "tensorboard") if enabled else None

    def forget_after(self, step: int) -> None:
        """On resume: drop ``metrics.jsonl`` lines of steps after the checkpoint (they are
        about to be trained again), so the file never holds a step twice, and lines that are
        not a whole JSON record (a torn tail left by a full disk or a kill mid-append)."""
        path = self.out / "metrics.jsonl"
        if not self.enabled or not path.is_file():
            return
        kept = []
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
                if not isinstance(record, dict) or int(record.get("step", 0)) > step:
                    continue
            except (ValueError, TypeError):
                continue
            kept.append(line + "\n")
        atomic_write_text(path, "".join(kept))

    def progress(self, steps: int, postfix: dict) -> None:
        if self.enabled:
            self.bar.set_postfix(postfix, refresh=False)
            self.bar.update(steps)

    def message(self, text: str) -> None:
        if self.enabled:
            self.bar.write(text, file=sys.stderr)

    def record(self, kind: str, step: int, values: dict) -> None:
        """One line of ``metrics.jsonl``: ``{"kind": ..., "step": ..., **values}``."""
        if not self.enabled:
            return
        line = json.dumps({"kind": kind, "step": step, **values}, allow_nan=True)
        append_line(self.out / "metrics.jsonl", line)
        if self.tb is not None:
            for key, value in values.items():
                if isinstance(value, (int, float)):
                    self.tb.add_scalar(f"{kind}/{key}", value, step)

    def close(self) -> None:
        if self.enabled:
            self.bar.close()
            if self.tb is not None:
                self.tb.close()


def sample_grid(targets: torch.Tensor, masks: torch.Tensor, outputs: torch.Tensor) -> np.ndarray:
    """One row per sample: masked input (hole shown mid-grey) | composited output | ground truth.

    targets/outputs ``(B, 3, S, S)`` in [-1, 1], masks ``(B, 1, S, S)`` 1 = hole →
    ``uint8`` ``(B·(S+2), 3·(S+2), 3)`` with 2-px white gutters.
    """
    b, _, s, _ = targets.shape
    pad = 2
    masked = torch.where(masks > 0.5, torch.zeros_like(targets), targets)
    grid = np.full((b * (s + pad), 3 * (s + pad), 3), 255, dtype=np.uint8)
    for i in range(b):
        for j, t in enumerate((masked[i], outputs[i], targets[i])):
            y, x = i * (s + pad), j * (s + pad)
            grid[y:y + s, x:x + s] = tensor_to_image(t)
    return grid


def column_grid(columns: list[torch.Tensor]) -> np.ndarray:
    """One row per sample, one column per tensor: ``columns`` of ``(B, 3, S, S)`` in [-1, 1]
    (e.g. input | output | truth) → ``uint8`` ``(B·(S+2), len(columns)·(S+2), 3)`` with 2-px
    white gutters, as :func:`sample_grid`."""
    b, _, s, _ = columns[0].shape
    pad = 2
    grid = np.full((b * (s + pad), len(columns) * (s + pad), 3), 255, dtype=np.uint8)
    for i in range(b):
        for j, column in enumerate(columns):
            y, x = i * (s + pad), j * (s + pad)
            grid[y:y + s, x:x + s] = tensor_to_image(column[i])
    return grid


def save_grid(path: Path, grid: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(path) as fh:
        Image.fromarray(grid).save(fh, format="PNG")
