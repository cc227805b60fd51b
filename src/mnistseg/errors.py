"""The errors that are the user's doing, not a bug: a stage reports them in one line."""

from __future__ import annotations


class ParamError(ValueError):
    """A parameter from params.yaml has a value the stage cannot use."""


class SetupError(RuntimeError):
    """The project's surroundings (git, the machine) stop a stage; the message says the fix."""


class SourceError(RuntimeError):
    """The digit files could not be obtained from any configured source."""


class IdxError(ValueError):
    """A file is not a valid IDX file of the expected kind; the message names the file."""


class InputError(ValueError):
    """An input file (a video, an image, masks) cannot be used; the message names it."""


# Failures that are the user's input, not a bug: reported in one line, without a traceback.
USER_ERRORS = (
    ParamError,
    SetupError,
    SourceError,
    IdxError,
    InputError,
    FileNotFoundError,
    NotADirectoryError,
)
