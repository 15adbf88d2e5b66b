"""Errors raised while reading, validating and loading boundaries."""


class BoundaryError(Exception):
    """Base class for boundary errors."""


class DatasetMissing(BoundaryError, FileNotFoundError):
    """A catalog file is neither in the data mirror nor downloadable."""


class ChecksumMismatch(BoundaryError):
    """A data file does not have the pinned sha256."""


class CrsError(BoundaryError, ValueError):
    """A boundary file has no CRS, or one we cannot transform."""


class InvalidBoundaries(BoundaryError, ValueError):
    """Units without usable geometry, duplicated codes or missing fields."""


class UnknownBoundarySet(BoundaryError, KeyError):
    """No boundary set or catalog entry has that slug."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown boundary set"
