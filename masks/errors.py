"""Errors of the mask library; the CLI prints their message as one line."""


class MaskError(ValueError):
    """Bad mask parameters, impossible constraints, or an unreadable mask file."""
