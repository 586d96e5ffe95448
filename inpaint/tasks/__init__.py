"""Tasks: what a model learns and does — inpainting, colourisation, paired translation.

Training: :data:`TASKS` maps each ``inpaint train --task`` name to its task class (the seam
between the generic trainer and a task: see :mod:`inpaint.tasks.base`). A new task is one file
here and one line in :data:`TASKS` (and its name in
:data:`inpaint.train.config.TASK_NAMES`, the torch-free list the CLI offers; a test checks the
two agree).

Inference: :func:`load_task_model` loads any task's checkpoint as a :class:`TaskModel`. A
checkpoint's ``"task"`` key says what it does (``{"name": "colorize", "color_space":
"ycbcr"}``, ``{"name": "paired", "direction": "AtoB"}``, ``{"name": "inpaint"}``); a checkpoint
without it is an inpainting one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from inpaint.checkpoint import build_stored_generator, load_checkpoint, task_of
from inpaint.errors import CheckpointError
from inpaint.tasks.colorize import ColorizeTask
from inpaint.tasks.inpaint import InpaintTask
from inpaint.tasks.paired import PairedTask

TASKS = {"inpaint": InpaintTask, "colorize": ColorizeTask, "paired": PairedTask}

__all__ = ["TASKS", "TaskModel", "load_task_model"]


@dataclass
class TaskModel:
    task: str  # "inpaint" | "colorize" | "paired"
    model: torch.nn.Module  # eval mode, on `device`
    image_size: int  # the side the model was trained at
    settings: dict  # the checkpoint's "task" dict minus "name": {"color_space": "ycbcr"}, {"direction": "AtoB"}
    state: dict  # the loaded checkpoint dict


def _noun(name: str) -> str:
    return TASKS[name].noun if name in TASKS else f"a {name!r} model"


def load_task_model(path: str | os.PathLike, device: torch.device | str = "cpu",
                    expect: str | None = None) -> TaskModel:
    """Load the generator of a checkpoint of any task.

    ``expect``: the task the caller needs; a checkpoint of another task is refused with one
    :class:`CheckpointError` line naming the command that trains the right kind. Missing,
    corrupt or foreign files, non-finite weights and weights that do not fit their stored
    architecture are refused as by :func:`inpaint.checkpoint.load_generator`."""
    if expect is not None and expect not in TASKS:
        raise ValueError(f"expect must be one of {', '.join(TASKS)}, got {expect!r}")
    state = load_checkpoint(path)
    task = task_of(state)
    name = task.pop("name")
    if name not in TASKS:
        raise CheckpointError(f"{path} is a model of the unknown task {name!r} (this inpaint knows "
                              f"{', '.join(TASKS)})")
    if expect is not None and name != expect:
        how = "`inpaint train`" if expect == "inpaint" else f"`inpaint train --task {expect}`"
        raise CheckpointError(f"{path} is {_noun(name)}; `inpaint {TASKS[expect].command}` needs one "
                              f"trained with {how}")
    model, cfg = build_stored_generator(state, path, device)
    return TaskModel(name, model, cfg.image_size, task, state)
