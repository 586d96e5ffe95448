"""The layout options `inpaint fill` and `inpaint eval` share: ``--layout [NAME]`` and ``--no-layout``.

torch-free: the names come from :mod:`inpaint.fill.settings`, their settings from
:mod:`inpaint.fill.layout` once a model is loaded.
"""

from __future__ import annotations

import click

from inpaint.fill.settings import LAYOUT_GUIDED, LAYOUT_NAMES, LAYOUT_OFF


def layout_options(what: str = ""):
    """Decorate a command with ``--layout [guided|native|off]`` (bare ``--layout``: guided) and
    ``--no-layout`` (= ``--layout off``); the command gets ``layout`` and ``no_layout`` and passes
    :func:`chosen_layout` of them on (``None`` when neither is given: the engine's
    ``LAYOUT_DEFAULT``, guided)."""
    def decorate(command):
        command = click.option("--no-layout", "no_layout", is_flag=True, default=False,
                               help=f"Same as --layout {LAYOUT_OFF}.")(command)
        # default None = inpaint.fill.engine.LAYOUT_DEFAULT, its one definition (importing it would load torch)
        return click.option(
            "--layout", "layout", type=click.Choice(LAYOUT_NAMES), is_flag=False, flag_value=LAYOUT_GUIDED, default=None,
            help="How large holes in scaled-down windows get their structure: guided (our PatchMatch at "
                 "256 px guided by the model's fill, blended with it from the rim inward; about 1 s for an "
                 "object hole in a 1280-px photo), native (the PatchMatch wheel at the photo's own resolution, "
                 "windows up to 2048 px; the model keeps thin holes: looks as good as whole-photo PatchMatch in a "
                 "third of its time, about 5 s, for about 1 dB less hole PSNR), or off (the model's fill alone, "
                 f"fastest). --layout alone: guided. Default: guided.{what}")(command)
    return decorate


def chosen_layout(layout: str | None, no_layout: bool) -> str | None:
    """The layout name the options ask for, ``None`` for neither; both at once is refused."""
    if no_layout and layout not in (None, LAYOUT_OFF):
        raise click.UsageError(f"--no-layout and --layout {layout} contradict each other")
    return LAYOUT_OFF if no_layout else layout
