"""Errors a user can act on: the CLI prints them as one line, never a traceback."""


class NarrascopeError(Exception):
    """Base of every error caused by input, configuration or environment, not by a bug."""


class InputError(NarrascopeError):
    """The input cannot be read as an article (empty, binary, too large, undecodable...)."""


class FetchError(NarrascopeError):
    """A URL was refused or could not be fetched."""


class ModelError(NarrascopeError):
    """A bundled model is missing or does not match its pinned hashes."""


class WorkerError(NarrascopeError):
    """A worker process analysing documents died (killed by the system, out of memory...)."""
