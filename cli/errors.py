"""Turn user-facing errors into one-line messages and a non-zero exit, never a traceback."""

from __future__ import annotations

import functools

import click

# Import-light: masks and inpaint.errors do not import torch.
from inpaint.errors import InpaintError
from masks.atomic import describe_os_error
from masks.errors import MaskError


def friendly_errors(func):
    """Decorator for click commands: known errors → ``Error: <one line>`` and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (InpaintError, MaskError) as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(describe_os_error(exc)) from None

    return wrapper
