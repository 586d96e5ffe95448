"""The training run: set up data, models and optimisers (fresh or resumed), loop over steps,
log, validate, sample and checkpoint. Entry point: :func:`run_training`.

What is learnt — data, the generator's input and target, losses, validation baseline, sample
grid — comes from the run's task (:mod:`inpaint.tasks`); the loop never asks which it is.

Learning rates: the generator uses ``optim.lr`` (2e-4), the discriminator ``optim.lr_d`` or by
default ``optim.lr · optim.d_lr_ratio`` (0.1 for inpainting: the released CE code trains G 10×
faster than D; 1 for the pix2pix tasks). Adam with β1 = 0.5. Data order is a function of (seed, epoch) and every sample's randomness of
(seed, epoch, index), so stopping and resuming gives the same weights as one long run (CPU).
"""

from __future__ import annotations

import copy
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from inpaint.atomic import atomic_write_text, describe_os_error
from inpaint.device import configure_cuda_for_training, resolve_device
from inpaint.errors import TrainingError
from inpaint.finite import modules_are_finite, state_is_finite
from inpaint.models import build_discriminator, build_generator
from inpaint.tasks import TASKS
from inpaint.tasks.base import DataContext
from inpaint.train import checkpoints as ckpt
from inpaint.train import distributed as dist_utils
from inpaint.train.config import TrainConfig, dump_yaml, resolve_device_defaults
from inpaint.train.ema import WeightAverage
from inpaint.train.interrupt import interrupt_guard
from inpaint.train.logging import RunLog, save_grid
from inpaint.train.sampler import EpochSampler
from inpaint.train.step import (NonFiniteLoss, NonFiniteWeights, StepRunner, adam, lr_factor,
                                load_optimizer_state)

GRID_ROWS = 8
# Batches one loader pass holds at least (whole epochs, in the same order): each new pass starts
# the workers' prefetch from empty, which on a GPU with a small folder idled it every few steps.
PASS_BATCHES = 512


@dataclass
class TrainResult:
    step: int
    out: Path
    checkpoint: Path | None  # last.pt written by this process (rank 0), else None
    generator_state: dict  # the model's final weights (CPU; the moving average with --ema), on every rank
    val: dict | None  # last validation figures (rank 0)
    val_summary: str | None = None  # those figures in words, beside the task's baseline (rank 0)


def run_training(cfg: TrainConfig, resume: str | Path | None = None, overwrite: bool = False,
                 resume_state: dict | None = None) -> TrainResult:
    """Train as ``cfg`` says; under torchrun every process calls this. Raises TrainingError.

    ``resume_state``: the checkpoint of ``resume`` when the caller already loaded it (with
    :func:`inpaint.train.checkpoints.load_resume_state`), so it is not read from disk twice."""
    trainer = None
    try:
        trainer = Trainer(cfg, resume, overwrite, resume_state)
        return trainer.run()
    finally:
        if trainer is not None:
            trainer.close()
        else:  # set-up failed (bad data, bad resume...): still leave the process group
            dist_utils.teardown(dist_utils.env_info())


def _cpus_per_process() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, cpus // max(1, int(os.environ.get("LOCAL_WORLD_SIZE", "1"))))


def _worker_init(_worker_id: int) -> None:
    """Loader workers do small single-image work: one OpenCV and one torch thread each, or
    N workers × M ranks × (cores) threads oversubscribe the CPU."""
    import cv2

    cv2.setNumThreads(1)
    torch.set_num_threads(1)


class Trainer:
    def __init__(self, cfg: TrainConfig, resume=None, overwrite: bool = False, resume_state: dict | None = None):
        self.info = dist_utils.env_info()
        self.device = dist_utils.setup(self.info, resolve_device(cfg.runtime.device))
        # settings left to the device (workers, cadences...) are fixed here, then saved
        cfg = resolve_device_defaults(copy.deepcopy(cfg), self.device.type, _cpus_per_process())
        self.cfg = cfg
        self.task = TASKS[cfg.task.name](cfg)
        self.main = self.info.is_main
        if self.device.type == "cuda":
            configure_cuda_for_training()
        if cfg.runtime.threads:
            torch.set_num_threads(cfg.runtime.threads)
        # before the run folder is touched: a failed start must not leave files behind in --out
        if cfg.runtime.sync_bn and self.info.enabled and self.device.type != "cuda":
            raise TrainingError("--sync-bn needs CUDA GPUs (SyncBatchNorm has no CPU implementation)")
        self.out = Path(cfg.runtime.out)
        if not cfg.runtime.out:
            raise TrainingError("no output folder: pass --out RUN_FOLDER")
        state = None
        if resume:
            state = resume_state if resume_state is not None else ckpt.load_resume_state(resume)
            ckpt.check_compatible(state, cfg.generator.to_dict(),
                                  cfg.discriminator.to_dict() if cfg.adversarial else None, resume,
                                  task=self.task.checkpoint_info())
        # fine-tuning: read (and check) the starting weights before the run folder is touched
        init = ckpt.load_init_state(cfg.runtime.init) if cfg.runtime.init and state is None else None
        if init is not None:  # does its generator fit? (on a throw-away model; the RNG untouched)
            with torch.random.fork_rng(devices=[]):
                ckpt.apply_init(init, build_generator(cfg.generator), None, cfg.generator.to_dict(),
                                cfg.runtime.init)
        self._setup_data()
        if state is not None and int(state["step"]) > self.total:
            raise TrainingError(f"cannot resume: {resume} is at step {int(state['step'])}, past the "
                                f"{self.total} steps asked for; pass a larger --steps to train further")
        self.log = None
        failure = None
        if self.main:
            # Continuing in the checkpoint's own run folder appends to it; resuming into any
            # other --out starts a new run folder there (refused when non-empty, unless asked).
            in_place = state is not None and (
                self.out.resolve() == ckpt.resolve_resume(resume).parent.resolve())
            try:
                ckpt.prepare_run_dir(self.out, resuming=in_place, overwrite=overwrite)
                atomic_write_text(self.out / "config.yaml", dump_yaml(cfg))
            except (TrainingError, OSError) as exc:
                failure = exc
        # also the barrier after which the run folder exists: the other ranks stop with one line
        # (not a gloo/NCCL traceback) when rank 0 could not prepare it
        if dist_utils.any_flag(self.info, failure is not None, self.device):
            if failure is not None:
                raise failure
            raise TrainingError(f"rank 0 could not prepare the run folder {self.out} (see its error)")
        self._setup_models(state, init)
        self.step = int(state["step"]) if state else 0
        self.runner.steps_done = self.step  # the runner counts global steps (--d-every)
        self.last_ckpt: Path | None = None
        self.last_step = -1  # step of last_ckpt

    # -- setup -----------------------------------------------------------------------------
    def _setup_data(self) -> None:
        cfg = self.cfg
        data = self.task.data(DataContext(cfg, self.info, self.main))
        self.train_set = data.train_set
        self.sampler = EpochSampler(len(data.train_set), cfg.schedule.batch_size, cfg.runtime.seed,
                                    self.info.rank, self.info.world_size, keyed=True,
                                    min_batches=PASS_BATCHES)
        workers = cfg.data.workers
        self.loader = DataLoader(
            self.train_set, batch_size=cfg.schedule.batch_size, sampler=self.sampler,
            num_workers=workers, pin_memory=self.device.type == "cuda",
            # own generator: creating loader iterators must not consume the global torch RNG
            generator=torch.Generator().manual_seed(cfg.runtime.seed),
            # workers live for the whole run: the epoch reaches them with each index (keyed)
            persistent_workers=workers > 0, worker_init_fn=_worker_init if workers else None,
            prefetch_factor=4 if workers else None)
        self.total = cfg.total_steps(self.sampler.steps_per_epoch)
        self.validator = None
        if self.main and data.val_set is not None:
            self.validator = self.task.validator(data.val_set, cfg.data.val_max)
        self.counts = data.counts

    def _setup_models(self, state: dict | None, init: dict | None = None) -> None:
        cfg = self.cfg
        torch.manual_seed(cfg.runtime.seed)
        g = build_generator(cfg.generator)
        d = build_discriminator(cfg.discriminator, cfg.generator) if cfg.adversarial else None
        if init is not None:
            note = ckpt.apply_init(init, g, d, cfg.generator.to_dict(), cfg.runtime.init)
            if note and self.main:
                print(f"note: {note}", file=sys.stderr)
        if state is not None:
            try:
                g.load_state_dict(state["generator"])
                if d is not None:
                    d.load_state_dict(state["discriminator"])
            except (RuntimeError, TypeError, KeyError):
                raise TrainingError("cannot resume: the checkpoint's weights do not match its "
                                    "architecture (corrupt or edited checkpoint)") from None
        fmt = torch.channels_last if cfg.runtime.channels_last else torch.preserve_format
        g = g.to(self.device, memory_format=fmt)
        d = d.to(self.device, memory_format=fmt) if d is not None else None
        betas = (cfg.optim.beta1, cfg.optim.beta2)
        opt_g = adam(g.parameters(), cfg.optim.lr, betas, self.device)
        opt_d = adam(d.parameters(), cfg.optim.d_lr(), betas, self.device) if d is not None else None
        if state is not None:
            load_optimizer_state(opt_g, state["optimizer_g"])
            if opt_d is not None and state.get("optimizer_d"):
                load_optimizer_state(opt_d, state["optimizer_d"])
        g = dist_utils.wrap_ddp(g, self.info, self.device, cfg.runtime.sync_bn)
        d = dist_utils.wrap_ddp(d, self.info, self.device, cfg.runtime.sync_bn) if d is not None else None
        # the plain modules (SyncBatchNorm-converted if asked): what checkpoints and validation use
        self.g_raw, self.d_raw = dist_utils.unwrap(g), (dist_utils.unwrap(d) if d is not None else None)
        self.ema = self._weight_average(state)
        if cfg.runtime.compile:
            g = torch.compile(g)
        self.runner = StepRunner(cfg, g, d, opt_g, opt_d, self.device, self.info, self.task)
        if state is not None:
            if state.get("scaler"):
                self.runner.scaler.load_state_dict(state["scaler"])
            # each rank continues its own streams (dropout); an older checkpoint, or one of
            # another world size, has rank 0's only: the other ranks then re-seed apart from it
            ranks = state.get("rng_ranks") or []
            if len(ranks) == self.info.world_size:
                ckpt.set_rng_state(ranks[self.info.rank])
            else:
                ckpt.set_rng_state(state["rng"])
                if self.info.rank:
                    torch.manual_seed(cfg.runtime.seed * 1000 + self.info.rank + 1 + int(state["step"]))
        else:
            # Distinct dropout streams per process; weights are identical (same seed above).
            torch.manual_seed(cfg.runtime.seed * 1000 + self.info.rank + 1)

    def _weight_average(self, state: dict | None) -> WeightAverage | None:
        """``--ema``: the moving average of the generator (resumed with the run when it kept one)."""
        decay = self.cfg.optim.ema
        if not decay:
            return None
        saved = state.get("generator_ema") if state is not None else None
        ema = WeightAverage(self.g_raw, decay, updates=int(state["step"]) if saved else 0)
        if saved:
            try:
                ema.load_state_dict(saved)
            except (RuntimeError, ValueError, KeyError):
                raise TrainingError("cannot resume: the checkpoint's weight average does not fit its "
                                    "generator (corrupt or edited checkpoint)") from None
        elif state is not None and self.main:
            print(f"note: the resumed checkpoint (step {int(state['step'])}) kept no weight average: "
                  "--ema starts one from its weights", file=sys.stderr)
        return ema

    @property
    def model(self) -> torch.nn.Module:
        """The generator as validated, sampled and exported: the weight average when kept."""
        return self.ema.model if self.ema is not None else self.g_raw

    # -- loop ------------------------------------------------------------------------------
    def _kept(self) -> str:
        """What is on disk for a message about a stopped run: only finite weights are ever saved,
        so the newest checkpoint is a good one."""
        where = self.last_ckpt or (self.out / ckpt.LAST if (self.out / ckpt.LAST).exists() else None)
        return f"the last good checkpoint {where} is intact" if where else "nothing was saved"

    def run(self) -> TrainResult:
        with interrupt_guard() as interrupted:
            try:
                return self._run(interrupted)
            except KeyboardInterrupt:  # a second Ctrl-C, or one outside the step loop
                raise TrainingError(self._stopped_by_user(save=False)) from None
            except TrainingError:
                raise
            except Exception:
                if interrupted():  # e.g. DataLoader workers killed by the same Ctrl-C
                    raise TrainingError(self._stopped_by_user(save=False)) from None
                raise

    def _stopped_by_user(self, save: bool) -> str:
        """Ctrl-C: save the steps done so far when that is safe, and say how to go on."""
        resume = f"`inpaint train --resume {self.out}`"
        # every rank gets here at the same step (the flag is agreed on), so the collective save
        # is safe; a broken model is never saved
        if save:
            self._settle()
        if save and self.last_step != self.step and modules_are_finite(self.g_raw, self.d_raw, self.model):
            try:
                self._save(numbered=True)
            except OSError as exc:
                return (f"interrupted at step {self.step}; saving a checkpoint failed "
                        f"({describe_os_error(exc)}); {self._kept()}")
            return f"interrupted at step {self.step}; saved {self.last_ckpt}; continue with {resume}"
        if self.last_ckpt is not None or (self.out / ckpt.LAST).exists():
            return (f"interrupted at step {self.step}; {self._kept()} (steps after it are lost); "
                    f"continue from it with {resume}")
        return f"interrupted at step {self.step} before any checkpoint: nothing was saved"

    def _run(self, interrupted) -> TrainResult:
        cfg, sc = self.cfg, self.cfg.schedule
        self.log = RunLog(self.out, self.total, self.step, enabled=self.main)
        self.log.forget_after(self.step)
        self._announce()
        val = None
        spe = self.sampler.steps_per_epoch
        self.window = {"t": time.perf_counter(), "steps": 0, "sums": {}, "counts": {}, "wait": 0.0}
        self.pending = None  # the last step's stats, read after the next step is queued
        saved_at = validated_at = -1
        deadline = time.perf_counter() + 60 * sc.max_minutes if sc.max_minutes else None
        while self.step < self.total and not self.out_of_time:
            epoch, offset = divmod(self.step, spe)
            self.sampler.set_epoch(epoch, offset)  # the epoch reaches the workers with the keys
            ready = time.perf_counter()
            for batch in self.loader:
                self.window["wait"] += time.perf_counter() - ready  # waiting for the input pipeline
                self.runner.set_lr_factor(lr_factor(cfg.optim.lr_schedule, self.step, self.total))
                self.runner.stop_request = self.info.enabled and interrupted()
                # any process past the deadline stops them all at the same step, as Ctrl-C does
                self.runner.time_request = deadline is not None and time.perf_counter() >= deadline
                stats = self.runner.step(batch)
                if self.ema is not None:
                    self.ema.update(self.g_raw)
                self.step += 1
                stats.step = self.step
                self._settle()  # the previous step, done or nearly so while this one is queued
                self.pending = stats
                due = [every and self.step % every == 0
                       for every in (sc.log_every, sc.sample_every, sc.val_every, sc.ckpt_every)]
                if any(due) or self.step >= self.total:
                    self._settle()  # periodic work sees only checked steps
                t1 = time.perf_counter()
                if due[0]:
                    self._log_train(self.window)
                if self.main and due[1]:
                    self._sample()
                if self.main and due[2]:
                    val, validated_at = self._validate(), self.step
                if due[3]:
                    self._save(numbered=True)
                    saved_at = self.step
                self.window["t"] += time.perf_counter() - t1  # periodic work is not step time
                # Ctrl-C waits for the step to finish (whole weights); all ranks agree to stop
                if self.stop_asked or (not self.info.enabled and interrupted()):
                    raise TrainingError(self._stopped_by_user(save=True))
                if self.out_of_time and self.step < self.total:
                    if self.main:
                        print(f"note: --max-minutes {sc.max_minutes:g} reached at step {self.step} of "
                              f"{self.total}; --resume {self.out} goes on", file=sys.stderr)
                    break
                if self.step >= self.total:
                    break
                ready = time.perf_counter()
        self._settle()
        if self.main and validated_at != self.step:
            val = self._validate()
        if self.main and sc.sample_every and self.step % sc.sample_every:
            self._sample()
        if saved_at != self.step:
            self._save(numbered=True)
        dist_utils.broadcast_buffers(self.info, self.g_raw, self.d_raw, self.ema and self.ema.model)
        state = {k: v.detach().cpu().clone() for k, v in self.model.state_dict().items()}
        summary = self.validator.summary(val) if val and self.validator is not None else None
        return TrainResult(self.step, self.out, self.last_ckpt, state, val, summary)

    stop_asked = False
    out_of_time = False

    def _settle(self) -> None:
        """Read the pending step's stats (one device read-back): stop on a non-finite step,
        count its losses for the log, note a stop request."""
        stats, self.pending = getattr(self, "pending", None), None
        if stats is None:
            return
        try:
            losses = stats.read()
        except NonFiniteWeights as exc:
            raise TrainingError(f"step {stats.step} diverged: {exc}; training stopped, "
                                f"{self._kept()} (try a lower --lr or no --amp)") from None
        except NonFiniteLoss as exc:
            raise TrainingError(f"non-finite loss at step {stats.step} ({exc}); training "
                                f"stopped, {self._kept()} (try a lower --lr or no --amp)") from None
        self.stop_asked = self.stop_asked or stats.stop  # under DDP: agreed by all ranks
        self.out_of_time = self.out_of_time or stats.out_of_time
        self._accumulate(self.window, losses)

    def close(self) -> None:
        if self.log is not None:
            self.log.close()
        self.loader = None  # persistent loader workers end with their iterator, not at exit
        dist_utils.teardown(self.info)

    def _announce(self) -> None:
        n_train, n_val = self.counts
        self.log.message(
            f"training {self.task.describe()} on "
            f"{n_train} image(s), validating on {min(n_val, self.cfg.data.val_max)}; device "
            f"{self.device}, {self.info.world_size} process(es); steps {self.step}→{self.total}; "
            f"adversarial {'on' if self.cfg.adversarial else 'off'}"
            + (f"; validating the weights' moving average (decay {self.ema.decay})" if self.ema else ""))
        if self.validator is not None:
            self.log.message(self.validator.baseline_message())

    def _accumulate(self, window: dict, losses: dict) -> None:
        window["steps"] += 1
        for k, v in losses.items():
            window["sums"][k] = window["sums"].get(k, 0.0) + v
            # per key: with --d-every N only every Nth step reports loss_d
            window["counts"][k] = window["counts"].get(k, 0) + 1
        dt = max(time.perf_counter() - window["t"], 1e-9)
        ips = window["steps"] * self.cfg.schedule.batch_size * self.info.world_size / dt
        self.log.progress(1, {**{k: f"{v:.4f}" for k, v in losses.items()}, "img/s": f"{ips:.1f}"})

    def _log_train(self, window: dict) -> None:
        dt = max(time.perf_counter() - window["t"], 1e-9)
        n = max(window["steps"], 1)
        # the stats were summed across ranks with each step: these are already global means
        values = {k: window["sums"][k] / window["counts"][k] for k in sorted(window["sums"])}
        values["images_per_s"] = n * self.cfg.schedule.batch_size * self.info.world_size / dt
        # share of wall time not spent waiting for the input pipeline (forward, backward,
        # optimiser, the step's bookkeeping); periodic work (samples, validation, checkpoints)
        # is left out of the window
        values["compute_share"] = min(1.0, max(0.0, 1.0 - window["wait"] / dt))
        values["epoch"] = (self.step - 1) // self.sampler.steps_per_epoch
        self.log.record("train", self.step, values)
        window.update(t=time.perf_counter(), steps=0, sums={}, counts={}, wait=0.0)

    def _validate(self) -> dict | None:
        if self.validator is None:
            return None
        m = self.validator.evaluate(self.model, self.device, self.runner.autocast, self.cfg.runtime.channels_last)
        record = self.validator.record(m)
        self.log.record("val", self.step, record)
        self.log.message(self.validator.message(self.step, m))
        return record

    @torch.no_grad()
    def _sample(self) -> None:
        if self.validator is not None:
            batch = self.validator.first_batch()
        else:
            # no held-out images: show training crops (those of the current epoch)
            epoch = (self.step - 1) // self.sampler.steps_per_epoch
            samples = [self.train_set[(epoch, i)] for i in range(min(GRID_ROWS, len(self.train_set)))]
            batch = {k: torch.stack([s[k] for s in samples]) for k in samples[0]}
        batch = {k: v[:GRID_ROWS] for k, v in batch.items()}
        b = self.task.to_device(batch, torch.device("cpu"))  # raw samples are built here
        g = self.model
        was = g.training
        g.eval()
        with self.runner.autocast():
            pred = g(b["input"].to(self.device))
        g.train(was)
        save_grid(self.out / "samples" / f"step_{self.step:06d}.png", self.task.sample_grid(b, pred.float().cpu()))

    def _save(self, numbered: bool) -> None:
        dist_utils.broadcast_buffers(self.info, self.g_raw, self.d_raw, self.ema and self.ema.model)
        rng = dist_utils.gather_objects(self.info, ckpt.rng_state())
        if self.main:
            r = self.runner
            state = {
                "generator_config": self.cfg.generator.to_dict(),
                "generator": self.g_raw.state_dict(),
                "generator_ema": self.ema.state_dict() if self.ema is not None else None,
                "discriminator_config": self.cfg.discriminator.to_dict() if self.d_raw is not None else None,
                "discriminator": self.d_raw.state_dict() if self.d_raw is not None else None,
                "step": self.step,
                "optimizer_g": r.opt_g.state_dict(),
                "optimizer_d": r.opt_d.state_dict() if r.opt_d is not None else None,
                "scaler": r.scaler.state_dict(),
                "rng": rng[0],
                "rng_ranks": rng,  # every rank's streams, restored per rank on resume
                "train_config": self.cfg.to_dict(),
                "task": self.task.checkpoint_info(),  # what the model does (absent: inpainting)
            }
            if not all(state_is_finite(state[k]) for k in ("generator", "generator_ema", "discriminator")):
                raise TrainingError(f"refusing to save non-finite weights at step {self.step}; {self._kept()}")
            self.last_ckpt = ckpt.save_training_checkpoint(self.out, state, self.step, numbered,
                                                           self.cfg.schedule.keep)
        dist_utils.barrier(self.info)
        self.last_step = self.step
