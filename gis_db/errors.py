"""Errors of the database layer; each message says what went wrong and how to fix it."""


class GisDbError(Exception):
    """Base class for database-layer errors."""


class EmbeddedDbError(GisDbError):
    """The embedded cluster cannot be installed, started or reached."""


class MigrationError(GisDbError):
    """The schema is not at the version this code expects."""
