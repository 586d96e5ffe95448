"""Training (optionally adversarial) of any task of :mod:`inpaint.tasks` — inpainting,
colourisation, paired translation: config, data, loop, checkpoints, logging.

Public API::

    from inpaint.train import build_config, read_config_file, run_training
    cfg = build_config({"data_dir": "photos", "out": "runs/ce", "mask": "center", "steps": 1000})
    result = run_training(cfg)              # or run_training(cfg, resume="runs/ce")

See :mod:`inpaint.train.config` for every setting and :mod:`inpaint.train.distributed` for
multi-GPU (torchrun) use.
"""

from inpaint.train.config import (
    SETTINGS,
    TrainConfig,
    build_config,
    config_from_dict,
    dump_yaml,
    normalise,
    read_config_file,
)


def run_training(cfg, resume=None, overwrite=False, resume_state=None):
    """See :func:`inpaint.train.loop.run_training` (imported lazily: it needs torch)."""
    from inpaint.train.loop import run_training as _run

    return _run(cfg, resume=resume, overwrite=overwrite, resume_state=resume_state)


__all__ = ["SETTINGS", "TrainConfig", "build_config", "config_from_dict", "dump_yaml", "normalise",
           "read_config_file", "run_training"]
