"""Storage: a small async table protocol, its Azure Tables implementation and repositories."""

from bot.storage.errors import (
    AlreadyExists,
    Conflict,
    NotFound,
    StorageError,
    StorageUnavailable,
)
from bot.storage.store import Row, TableStore

__all__ = [
    "AlreadyExists",
    "Conflict",
    "NotFound",
    "Row",
    "StorageError",
    "StorageUnavailable",
    "TableStore",
]
