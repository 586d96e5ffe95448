"""One optimisation step of a generator, optionally adversarial, for any task.

What the generator sees and should output, what the discriminator judges and how the
reconstruction is weighted come from the run's task (:mod:`inpaint.tasks`); this module only
runs the step. Order per step (as in the released CE code): the discriminator first (real vs
the detached output), then the generator on ``rec_weight · L_rec + adv_weight · L_adv``
(``+ fm_weight · L_fm``, feature matching, when set) against the updated discriminator. With
``d_every`` N > 1 the discriminator is updated on steps 0, N, 2N, … only (the global step, so a
resumed run skips the same ones); the generator's adversarial loss still uses it on every step.

Nothing in a step reads a value back from the device: the step's losses and its finiteness
flags (discriminator loss, generator loss, the weights after the update; one reduction each,
as :mod:`inpaint.finite`) are returned as one small device tensor, :class:`StepStats`, which
the loop reads once, one step later (:meth:`StepStats.read`), so the CPU queues the next step
while the GPU still runs this one. Under DDP the stats are summed across processes by one
all-reduce per step, so every rank stops at the same step and logged losses are global means.
A non-finite loss or non-finite weights raise :class:`NonFiniteLoss` / :class:`NonFiniteWeights`
when read; the in-memory weights may then be broken, but the loop reads every pending check
before it saves, validates or samples, and checkpoints refuse non-finite weights, so nothing
broken is ever written.

For inpainting the discriminator judges the centre patch in centre mode (as CE) and the
composited image in full mode (known pixels are then identical between real and fake, so only
the fill is judged).
"""

from __future__ import annotations

import math
from contextlib import nullcontext

import torch

from inpaint.device import compute_capability
from inpaint.losses import (GAN_LOSSES, ReconstructionWeights, feature_matching_loss, mean_reconstruction_loss,
                            reconstruction_loss)
from inpaint.train import distributed as dist_utils
from inpaint.train.config import TrainConfig


class NonFiniteLoss(Exception):
    """Raised with the name and value of the first non-finite loss of a step."""


class NonFiniteWeights(NonFiniteLoss):
    """Raised when a step left NaN/inf in the weights although its losses were finite (a huge
    learning rate): the in-memory model is then unusable and must not be saved."""


BF16_MIN_CAPABILITY = (8, 0)  # Ampere: bf16 tensor cores. Volta/Turing only emulate bf16.


def amp_dtype(device: torch.device, enabled: bool) -> torch.dtype | None:
    """bf16 on CPU and on GPUs of compute capability ≥ 8.0; fp16 (+ GradScaler) below.

    ``torch.cuda.is_bf16_supported()`` is True on V100/T4 too, where bf16 runs without tensor
    cores (emulated), so the capability is what decides."""
    if not enabled:
        return None
    if device.type == "cuda":
        return torch.bfloat16 if compute_capability(device) >= BF16_MIN_CAPABILITY else torch.float16
    return torch.bfloat16


def adam_implementation(device: torch.device) -> dict:
    """Adam's implementation flags for ``device``: fused (one kernel over all parameters) on
    CUDA and on CPU alike. Measured on this repository's 2-core CPU with torch 2.14, one thread,
    one update: 72 ms fused vs 478 ms foreach vs 695 ms plain for the 71 M parameters of the
    default CE generator; 2 ms vs 18 ms vs 11 ms for the 2.6 M of the shipped U-Net."""
    del device  # the same answer for both today; kept so each device can get its own
    return {"fused": True, "foreach": None}


def adam(params, lr: float, betas: tuple[float, float], device: torch.device | None = None) -> torch.optim.Adam:
    """Adam with the right implementation for ``device`` (the parameters' device by default);
    foreach where this torch has no fused Adam for the device."""
    params = list(params)
    if device is None:
        device = params[0].device if params else torch.device("cpu")
    try:
        return torch.optim.Adam(params, lr=lr, betas=betas, **adam_implementation(device))
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(params, lr=lr, betas=betas, foreach=True)


def load_optimizer_state(opt: torch.optim.Optimizer, state: dict) -> None:
    """``opt.load_state_dict(state)``, keeping the implementation :func:`adam` chose for this
    device: torch restores the *saved* groups' flags (say plain Adam of an older run, or fused
    flags on a device without fused Adam). The step counters go where the implementation wants
    them (fused: a tensor on the parameters' device; otherwise on the CPU)."""
    chosen = [{k: g.get(k) for k in ("fused", "foreach")} for g in opt.param_groups]
    opt.load_state_dict(state)
    for group, flags in zip(opt.param_groups, chosen):
        group.update(flags)
        for p in group["params"]:
            st = opt.state.get(p, {})
            step = st.get("step")
            if torch.is_tensor(step):
                where = p.device if flags["fused"] or group.get("capturable") else torch.device("cpu")
                st["step"] = step.to(device=where, dtype=torch.float32)


def lr_factor(schedule: str, step: int, total: int) -> float:
    """Learning-rate multiplier for the step about to run (0-based ``step`` of ``total``).

    A pure function of the step, so a resumed run continues the same curve. ``cosine`` goes from
    1 to 0 over the run, so the last steps refine with small updates (the shipped default
    model's recipe uses it)."""
    if schedule == "constant" or total <= 1:
        return 1.0
    return 0.5 * (1.0 + math.cos(math.pi * min(step, total) / total))


def _grad_scaler(enabled: bool):
    """Loss scaling for fp16 on CUDA only (bf16 needs none); torch < 2.3 has it under cuda.amp."""
    if hasattr(torch.amp, "GradScaler"):
        return torch.amp.GradScaler("cuda", enabled=enabled)
    return torch.cuda.amp.GradScaler(enabled=enabled)


FLAG_NAMES = ("discriminator loss", "generator loss", "weights", "stop", "time limit")


class StepStats:
    """One step's losses and finiteness flags, still on the device (see the module doc)."""

    def __init__(self, step: int, names: tuple[str, ...], values: torch.Tensor, world_size: int):
        self.step, self.names, self.values, self.world_size = step, names, values, world_size
        self.stop = False  # after read(): some process asked to stop (Ctrl-C) at this step
        self.out_of_time = False  # after read(): some process ran out of --max-minutes
        self._read: dict[str, float] | None = None
        self._ready = None
        if values.is_cuda:
            # Copy to page-locked memory now, queued right behind this step's kernels, and mark
            # it with an event: read() then waits for this step only. A plain .tolist() later
            # would wait behind every kernel queued since (the next step's too).
            host = torch.empty(values.shape, dtype=values.dtype, pin_memory=True)
            host.copy_(values, non_blocking=True)
            self._ready = torch.cuda.Event()
            self._ready.record()
            self.values = host

    def __getitem__(self, key: str) -> float:
        return self.read()[key]

    def keys(self):
        return self.read().keys()

    def items(self):
        return self.read().items()

    def read(self) -> dict[str, float]:
        """The step's losses as floats (one device read-back); raises on a non-finite step."""
        if self._read is not None:
            return self._read
        if self._ready is not None:
            self._ready.synchronize()
        got = self.values.tolist()
        flags, losses = got[:len(FLAG_NAMES)], got[len(FLAG_NAMES):]
        values = {k: v / self.world_size for k, v in zip(self.names, losses)}
        where = "" if self.world_size == 1 else " (on some process)"
        self.stop = flags[3] > 0
        self.out_of_time = flags[4] > 0
        for name, flag in zip(FLAG_NAMES[:2], flags):
            if flag > 0:
                key = "loss_d" if name.startswith("discriminator") else "loss_g"
                raise NonFiniteLoss(f"{name} = {values.get(key, float('nan'))}{where}")
        if flags[2] > 0:
            raise NonFiniteWeights("the weights became non-finite (NaN/inf) although the losses were "
                                   f"finite{where}")
        self._read = values
        return values


def _bad(value: torch.Tensor) -> torch.Tensor:
    return (~torch.isfinite(value.detach().float())).float()


def weights_bad(*modules) -> torch.Tensor:
    """1.0 when a parameter or buffer of ``modules`` is non-finite (no read-back; see finite.py)."""
    sums = [t.detach().sum(dtype=torch.float32) for m in modules if m is not None
            for t in list(m.parameters()) + list(m.buffers()) if t.is_floating_point() and t.numel()]
    return _bad(torch.stack(sums).sum())


class StepRunner:
    """Owns the (wrapped) models, optimisers and AMP state; :meth:`step` runs one batch."""

    def __init__(self, cfg: TrainConfig, generator, discriminator, opt_g, opt_d, device: torch.device,
                 info: dist_utils.DistInfo, task=None):
        self.cfg, self.device, self.info = cfg, device, info
        self.G, self.D, self.opt_g, self.opt_d = generator, discriminator, opt_g, opt_d
        if task is None:
            from inpaint.tasks import TASKS

            task = TASKS[cfg.task.name](cfg)
        self.task = task
        self.dtype = amp_dtype(device, cfg.runtime.amp)
        self.scaler = _grad_scaler(enabled=self.dtype == torch.float16)
        self.gan = GAN_LOSSES[cfg.loss.gan_loss]
        self.weights = ReconstructionWeights()
        self.steps_done = 0  # steps run; the loop starts it at the resumed step

    def set_lr_factor(self, factor: float) -> None:
        """Scale both optimisers' learning rates to ``factor`` × their configured values."""
        lr = self.cfg.optim.lr
        for opt, base in ((self.opt_g, lr), (self.opt_d, self.cfg.optim.d_lr())):
            if opt is not None:
                for group in opt.param_groups:
                    group["lr"] = base * factor

    def autocast(self):
        if self.dtype is None:
            return nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.dtype)

    def _to_device(self, batch: dict) -> dict:
        fmt = torch.channels_last if self.cfg.runtime.channels_last else torch.contiguous_format
        return self.task.to_device(batch, self.device, fmt)

    def _reconstruction(self, pred: torch.Tensor, target: torch.Tensor, b: dict) -> torch.Tensor:
        mask, kind = self.task.rec_mask(b), self.cfg.loss.rec_loss
        if mask is None:  # every element is to be predicted: no hole weighting
            return mean_reconstruction_loss(pred, target, kind, self.task.rec_weight(b))
        return reconstruction_loss(pred, target, mask, self.cfg.generator, self.weights, kind=kind)

    def updates_d(self, step: int) -> bool:
        """Whether the discriminator is updated at (0-based, global) ``step``."""
        return self.D is not None and step % self.cfg.optim.d_every == 0

    # Set by the loop before a step under DDP: this process wants to stop (Ctrl-C). It travels
    # with the step's stats, so all processes agree on it without a collective of its own.
    stop_request = False
    time_request = False  # likewise: this process is past its --max-minutes

    def step(self, batch: dict, step: int | None = None) -> StepStats:
        """Train on one batch without any device read-back; see :class:`StepStats` (indexing
        it, ``stats["rec"]``, reads it). ``step``: the run's 0-based global step (for
        ``d_every``); None: :attr:`steps_done`, which the loop sets to the resumed step. A step
        that leaves the discriminator alone reports no ``loss_d``."""
        stop, out_of_time = self.stop_request, self.time_request
        step = self.steps_done if step is None else int(step)
        b = self._to_device(batch)
        inp = b["input"]
        target = self.task.target(b)
        with self.autocast():
            pred = self.G(inp)
        fake = self.task.fake(pred, b)
        losses: dict[str, torch.Tensor] = {}
        bad_d = torch.zeros((), device=self.device)
        if self.updates_d(step):
            losses["loss_d"] = self._discriminator_step(target, fake.detach(), inp)
            bad_d = _bad(losses["loss_d"])
        with self.autocast():
            rec = self._reconstruction(pred, target, b)
            loss = self.cfg.loss.rec_weight * rec
            if self.D is not None:
                adv, fm = self._generator_adversarial(fake, target, inp)
                loss = loss + self.cfg.loss.adv_weight * adv
                if fm is not None:
                    loss = loss + self.cfg.loss.fm_weight * fm
        self.opt_g.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self._optimiser_step(self.opt_g)
        self.scaler.update()
        losses["rec"] = rec
        losses["loss_g"] = loss
        if self.D is not None:
            losses["adv_g"] = adv
            if fm is not None:
                losses["fm"] = fm
        broken = weights_bad(self.G, self.D) if not self.overflowed else torch.ones((), device=self.device)
        self.overflowed = False
        flags = torch.stack([bad_d, _bad(loss), broken,
                             torch.full((), float(stop), device=self.device),
                             torch.full((), float(out_of_time), device=self.device)])
        values = torch.cat([flags, torch.stack([v.detach().float() for v in losses.values()])])
        values = dist_utils.sum_across(self.info, values)
        self.steps_done += 1
        return StepStats(self.steps_done, tuple(losses), values, self.info.world_size)

    def _discriminator_step(self, real: torch.Tensor, fake: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        c = cond if self.cfg.discriminator.conditional else None
        with self.autocast():
            loss = self.gan.d_loss(self.D(real, c), self.D(fake, c))
        self.opt_d.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self._optimiser_step(self.opt_d)
        return loss.detach()

    overflowed = False

    def _optimiser_step(self, opt) -> None:
        try:
            self.scaler.step(opt)
        except RuntimeError as exc:
            # plain Adam converts its step size to a float32 scalar: a learning rate such as
            # 1e39 overflows there instead of in the weights. Same outcome: broken weights.
            if "without overflow" not in str(exc):
                raise
            self.overflowed = True

    def _generator_adversarial(self, fake: torch.Tensor, real: torch.Tensor, cond: torch.Tensor):
        """``(adversarial loss, feature-matching loss or None)`` of the generator."""
        # D's weights take no gradient from the generator's loss: freeze them (saves the
        # backward through D's weights) and skip DDP's gradient sync for this pass.
        c = cond if self.cfg.discriminator.conditional else None
        matching = self.cfg.loss.fm_weight > 0
        params = list(self.D.parameters())
        for p in params:
            p.requires_grad_(False)
        sync_off = self.D.no_sync() if hasattr(self.D, "no_sync") else nullcontext()
        try:
            with sync_off:
                if not matching:
                    return self.gan.g_loss(self.D(fake, c)), None
                logits, fake_features = self.D(fake, c, features=True)
                with torch.no_grad():  # the real side is a constant target
                    _, real_features = self.D(real, c, features=True)
                return self.gan.g_loss(logits), feature_matching_loss(fake_features, real_features)
        finally:
            for p in params:
                p.requires_grad_(True)
