"""User-facing errors. Their message is printed as one line by the CLI, never a traceback."""


class InpaintError(Exception):
    """A problem the user can fix (bad file, bad option, wrong checkpoint...)."""


class CheckpointError(InpaintError):
    """A checkpoint that is missing, corrupt, or belongs to another model/format."""


class ImageError(InpaintError):
    """A photo or mask that cannot be read or does not fit (size, mode, content)."""


class TrainingError(InpaintError):
    """Training cannot go on (no data, non-finite loss, incompatible resume...)."""
