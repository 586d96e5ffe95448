"""Data order as a pure function of (seed, epoch), sharded across processes.

Works like ``torch.utils.data.DistributedSampler(shuffle=True, drop_last=True)`` (and is that
sampler for ``world_size == 1``), plus a ``start`` offset so a resumed run skips the batches
it already trained on in the current epoch without loading them.

With ``keyed=True`` it yields ``(epoch, index)`` pairs: that is how the epoch reaches the
dataset in the loader workers. Mutating the dataset (``dataset.set_epoch``) reaches only
workers forked afterwards, so persistent workers would repeat epoch 0's samples forever, and
re-forking workers every epoch makes every epoch start with an empty pipeline.
"""

from __future__ import annotations

import torch
from torch.utils.data import Sampler


class EpochSampler(Sampler[int]):
    """Indices of one epoch for process ``rank`` of ``world_size``.

    The permutation is ``torch.randperm(n)`` from a generator seeded with ``seed + epoch``;
    every process gets ``steps_per_epoch · batch_size`` indices (the tail that does not fill a
    full batch on every process is dropped, so BatchNorm never sees a batch of one).
    """

    def __init__(self, n: int, batch_size: int, seed: int = 0, rank: int = 0, world_size: int = 1,
                 keyed: bool = False):
        self.n, self.batch_size, self.seed, self.keyed = n, batch_size, seed, keyed
        self.rank, self.world_size = rank, world_size
        self.epoch = 0
        self.start_batch = 0
        if n < 1:
            raise ValueError("no training images")

    @property
    def steps_per_epoch(self) -> int:
        # A folder smaller than one global batch still gives one step per epoch (repeats).
        return max(1, self.n // (self.batch_size * self.world_size))

    def set_epoch(self, epoch: int, start_batch: int = 0) -> None:
        self.epoch, self.start_batch = int(epoch), int(start_batch)

    def epoch_indices(self) -> list[int]:
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        need = self.steps_per_epoch * self.batch_size * self.world_size
        perm: list[int] = []
        while len(perm) < need:
            perm += torch.randperm(self.n, generator=g).tolist()
        used = perm[:need]
        return used[self.rank:: self.world_size]

    def __iter__(self):
        indices = self.epoch_indices()[self.start_batch * self.batch_size:]
        if self.keyed:
            return iter([(self.epoch, i) for i in indices])
        return iter(indices)

    def __len__(self) -> int:
        return (self.steps_per_epoch - self.start_batch) * self.batch_size
