"""Function-preserving widening of a trained U-Net (Net2WiderNet, Chen et al., ICLR 2016).

A U-Net of ``ngf`` F is turned into one of a larger ``ngf`` F' that computes the same function,
so a run with more capacity starts from the trained model instead of from scratch
(``inpaint train --init SMALLER.pt --ngf F'``). Every hidden channel ``c`` of a layer of width
``C'`` copies old channel ``c mod C`` (weights, bias, BatchNorm affine and running statistics);
a layer reading replicated channels splits each old input weight among its copies with random
shares that sum to 1. The sum each unit computes is then unchanged, so the widened network's
output equals the old one's up to float rounding, while the unequal shares give the copies
different gradients, so they can grow apart in training (equal shares never would).

The image input (``in_channels``) and the output (``out_channels``) are not widened.
"""

from __future__ import annotations

import torch

from inpaint.config import GeneratorConfig
from inpaint.models.unet import level_widths


def can_widen(old: GeneratorConfig, new: GeneratorConfig) -> bool:
    """True when ``new`` is ``old`` with a larger ``ngf`` (both U-Nets, every other field equal)."""
    if old.kind != "unet" or new.kind != "unet" or new.ngf <= old.ngf:
        return False
    a, b = old.to_dict(), new.to_dict()
    a.pop("ngf"), b.pop("ngf")
    return a == b


def _groups_down(chans: list[int], in_channels: int, i: int) -> tuple[list[int], list[int]]:
    return ([in_channels] if i == 0 else [chans[i - 1]]), [chans[i]]


def _groups_up(chans: list[int], out_channels: int, level: int) -> tuple[list[int], list[int]]:
    n = len(chans)
    ins = [chans[level]] if level == n - 1 else [chans[level], chans[level]]  # [h, skip]
    return ins, ([out_channels] if level == 0 else [chans[level - 1]])


def _channel_map(old_groups: list[int], new_groups: list[int]) -> torch.Tensor:
    """For each channel of the concatenated new groups, the index of the old channel it copies."""
    idx, base = [], 0
    for c_old, c_new in zip(old_groups, new_groups):
        idx.extend(base + (c % c_old) for c in range(c_new))
        base += c_old
    return torch.tensor(idx, dtype=torch.long)


def _shares(index: torch.Tensor, n_old: int, shape_rest: tuple[int, ...], gen: torch.Generator,
            spread: float) -> torch.Tensor:
    """Random positive shares per new input channel (dim 0) that sum to 1 over each old
    channel's copies, independently for every other index (``shape_rest``)."""
    raw = 1.0 + spread * (2 * torch.rand((len(index), *shape_rest), generator=gen, dtype=torch.float64) - 1)
    totals = torch.zeros((n_old, *shape_rest), dtype=torch.float64).index_add_(0, index, raw)
    return raw / totals[index]


def widen_unet_state(state: dict, old: GeneratorConfig, new: GeneratorConfig, seed: int = 0,
                     spread: float = 0.5) -> dict:
    """The state dict of ``new`` (a U-Net) that computes what ``old``'s ``state`` computes.

    ``state``: ``old``'s generator state dict (any float dtype; the result keeps it).
    ``spread``: how unequal the random input shares of copied channels are (0 = equal).
    Raises ``ValueError`` when :func:`can_widen` is false.
    """
    if not can_widen(old, new):
        raise ValueError(f"cannot widen {old.kind} ngf {old.ngf} into {new.kind} ngf {new.ngf}")
    c_old, c_new = level_widths(old.ngf, old.image_size), level_widths(new.ngf, new.image_size)
    n = len(c_old)
    gen = torch.Generator().manual_seed(seed)
    blocks = {f"downs.{i}.": (_groups_down(c_old, old.in_channels, i), _groups_down(c_new, new.in_channels, i))
              for i in range(n)}
    blocks.update({f"ups.{k}.": (_groups_up(c_old, old.out_channels, lvl), _groups_up(c_new, new.out_channels, lvl))
                   for k, lvl in enumerate(range(n - 1, -1, -1))})
    transposed = new.params.upsample == "transposed"
    out: dict = {}
    for key, value in state.items():
        prefix = next((p for p in blocks if key.startswith(p)), None)
        if prefix is None or value.ndim == 0:  # num_batches_tracked and anything outside the blocks
            out[key] = value.clone()
            continue
        (old_in, old_out), (new_in, new_out) = blocks[prefix]
        out_map = _channel_map(old_out, new_out)
        if value.ndim == 1:  # bias, BatchNorm weight / bias / running statistics: per output channel
            out[key] = value[out_map].clone()
            continue
        in_map = _channel_map(old_in, new_in)
        w = value.double()
        in_dim = 0 if transposed and prefix.startswith("ups.") else 1  # ConvTranspose2d: (in, out, kh, kw)
        w = w.index_select(1 - in_dim, out_map).index_select(in_dim, in_map)
        w = w.movedim(in_dim, 0)
        w = w * _shares(in_map, sum(old_in), tuple(w.shape[1:]), gen, spread)
        out[key] = w.movedim(0, in_dim).to(value.dtype).contiguous()
    return out
