"""torchrun / DistributedDataParallel helpers.

A run is distributed when the environment variables ``torchrun`` sets (``RANK``,
``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``) are present with
``WORLD_SIZE > 1``. The backend is NCCL on CUDA and gloo on CPU. Rank 0 logs, validates and
writes checkpoints; every rank trains on its own shard of each epoch.

    torchrun --nproc_per_node 4 -m cli.main train DATA --out runs/x ...            # one machine
    torchrun --nnodes 2 --node_rank R --nproc_per_node 4 --master_addr HOST \\
             --master_port 29500 -m cli.main train DATA --out runs/x ...          # two machines
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

from inpaint.device import use_device


@dataclass(frozen=True)
class DistInfo:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def env_info() -> DistInfo:
    """Rank/world size from torchrun's environment (single process when absent)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistInfo()
    return DistInfo(int(os.environ.get("RANK", "0")), world, int(os.environ.get("LOCAL_RANK", "0")))


def setup(info: DistInfo, device: torch.device) -> torch.device:
    """Join the process group (if distributed); returns this process's device (cuda:LOCAL_RANK
    under torchrun), made the current CUDA device also in a single process (``--device cuda:1``)."""
    if not info.enabled:
        return use_device(device)
    if device.type == "cuda":
        device = use_device(torch.device("cuda", info.local_rank))
    if not dist.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        dist.init_process_group(backend=backend, rank=info.rank, world_size=info.world_size)
    return device


def teardown(info: DistInfo) -> None:
    if info.enabled and dist.is_initialized():
        dist.destroy_process_group()


def barrier(info: DistInfo) -> None:
    if info.enabled and dist.is_initialized():
        dist.barrier()


def any_flag(info: DistInfo, flag: bool, device: torch.device) -> bool:
    """True on every rank when ``flag`` is true on any rank (e.g. a non-finite loss)."""
    if not info.enabled:
        return flag
    t = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item() > 0)


def sum_across(info: DistInfo, values: torch.Tensor) -> torch.Tensor:
    """Sum a device tensor over ranks (one all-reduce, no read-back); itself when alone."""
    if not info.enabled:
        return values
    dist.all_reduce(values)
    return values


def gather_objects(info: DistInfo, obj) -> list:
    """``[obj of rank 0, obj of rank 1, ...]`` on every rank (``[obj]`` when alone)."""
    if not info.enabled:
        return [obj]
    out = [None] * info.world_size
    dist.all_gather_object(out, obj)
    return out


def mean_across(info: DistInfo, values: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Average a small CPU tensor of loss values over ranks (for logging only)."""
    if not info.enabled:
        return values
    on_device = values.to(device)  # NCCL reduces CUDA tensors only
    dist.all_reduce(on_device)
    return (on_device / info.world_size).cpu()


def wrap_ddp(module: torch.nn.Module, info: DistInfo, device: torch.device, sync_bn: bool):
    """SyncBatchNorm (optional) + DistributedDataParallel; a no-op when not distributed."""
    if not info.enabled:
        return module
    if sync_bn:
        module = torch.nn.SyncBatchNorm.convert_sync_batchnorm(module)
    ids = [device.index] if device.type == "cuda" else None
    # No buffer broadcast at every forward (a step has up to four: three discriminator, one
    # generator): in training mode BatchNorm normalises with batch statistics, so the running
    # statistics never affect the step, and broadcast_buffers() copies rank 0's to every rank
    # before each checkpoint and at the end, the only times they are used.
    return torch.nn.parallel.DistributedDataParallel(module, device_ids=ids, broadcast_buffers=False)


def broadcast_buffers(info: DistInfo, *modules) -> None:
    """Copy rank 0's buffers (BatchNorm running statistics) to every rank: afterwards all ranks
    hold exactly the state rank 0 checkpoints."""
    if not info.enabled:
        return
    for module in modules:
        if module is not None:
            for buf in module.buffers():
                dist.broadcast(buf, src=0)


def unwrap(module: torch.nn.Module) -> torch.nn.Module:
    """The plain module under DDP and torch.compile wrappers (what checkpoints store)."""
    while True:
        if isinstance(module, torch.nn.parallel.DistributedDataParallel):
            module = module.module
        elif hasattr(module, "_orig_mod"):
            module = module._orig_mod
        else:
            return module
