"""The layout options `inpaint fill` and `inpaint eval` share: ``--layout [NAME]`` and ``--no-layout``.

torch-free: the names come from :mod:`inpaint.fill.settings`, their settings from
:mod:`inpaint.fill.layout` once a model is loaded.
"""

from __future__ import annotations

import click

from inpaint.fill.settings import LAYOUT_DEFAULT, LAYOUT_NAMES, LAYOUT_OFF


def layout_options(what: str = ""):
    """Decorate a command with ``--layout [auto|guided|native|off]`` (bare ``--layout``: the
    default, :data:`inpaint.fill.settings.LAYOUT_DEFAULT`) and ``--no-layout`` (= ``--layout
    off``); the command gets ``layout`` and ``no_layout`` and passes :func:`chosen_layout` of them
    on (``None`` when neither is given: the default)."""
    def decorate(command):
        command = click.option("--no-layout", "no_layout", is_flag=True, default=False,
                               help=f"Same as --layout {LAYOUT_OFF}.")(command)
        return click.option(
            "--layout", "layout", type=click.Choice(LAYOUT_NAMES), is_flag=False, flag_value=LAYOUT_DEFAULT, default=None,
            help="How large holes in scaled-down windows get their structure: native (the PatchMatch wheel "
                 "at the photo's own resolution, windows up to 2048 px; the model keeps thin holes: looks as "
                 "good as whole-photo PatchMatch in a third of its time, 2-5 s for an object hole in a 1280-px "
                 "photo, for about 1 dB less hole PSNR than guided), guided (our PatchMatch at 256 px guided "
                 "by the model's fill, blended with it from the rim inward; about 1 s, the more faithful fill "
                 "but a smudgier look), auto (native for hole windows up to 1280 px, guided for larger ones, "
                 "so big photos stay fast), or off (the model's fill alone, fastest). "
                 f"--layout alone: {LAYOUT_DEFAULT}. Default: {LAYOUT_DEFAULT}.{what}")(command)
    return decorate


def chosen_layout(layout: str | None, no_layout: bool) -> str | None:
    """The layout name the options ask for, ``None`` for neither; both at once is refused."""
    if no_layout and layout not in (None, LAYOUT_OFF):
        raise click.UsageError(f"--no-layout and --layout {layout} contradict each other")
    return LAYOUT_OFF if no_layout else layout
