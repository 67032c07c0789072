"""Storage errors every caller can handle without knowing the backend."""


class StorageError(Exception):
    """Base class of storage failures."""


class StorageUnavailable(StorageError):
    """The table service did not answer (down, timed out, 5xx). Nothing can be assumed written."""


class Conflict(StorageError):
    """The row changed since it was read (ETag mismatch): re-read and decide again."""


class AlreadyExists(StorageError):
    """A row with this key exists already: an insert was repeated."""


class NotFound(StorageError):
    """No row with this key."""


class RowFull(StorageError):
    """Azure refused a write that would give a row too many properties or make it too large
    (252 properties, 1 MiB)."""
