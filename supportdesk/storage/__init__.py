"""File storage: bytes kept outside the database under a content address (SHA-256 hex).

One interface (`Storage`), two backends: a local directory (the default, under the instance
folder) and an S3-compatible bucket. Callers store bytes or a stream and keep the key it
returns; the same content always gets the same key, so a file stored twice is kept once.
The interface knows nothing of attachments: exports and archives use it the same way.

    key = storage().put(b"...")          # or put(stream)
    with storage().open(key) as f: ...   # or storage().read(key)
    storage().size(key), storage().exists(key), storage().delete(key), storage().stored_keys()

Settings (README, "File storage"): STORAGE_BACKEND (`local` | `s3`), STORAGE_DIR, and the
STORAGE_S3_* settings. The backend is built once per app and kept in `app.extensions`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import BinaryIO, Protocol

from flask import Flask, current_app

CHUNK = 1024 * 1024
_KEY = re.compile(r"^[0-9a-f]{64}$")


class StorageError(RuntimeError):
    """The backend failed (a disk error, the bucket refused); the message never holds secrets."""


class MissingFile(StorageError):
    """No file is stored under that key."""


class Storage(Protocol):
    """What every backend does. Keys are the SHA-256 hex digest of the content."""

    def put(self, data: bytes | BinaryIO) -> str:
        """Store bytes or a readable binary stream; return its key (idempotent)."""

    def open(self, key: str) -> BinaryIO:
        """A readable binary stream of the stored file (close it; a `with` block does)."""

    def read(self, key: str) -> bytes:
        """The whole stored file."""

    def size(self, key: str) -> int:
        """The stored file's length in bytes."""

    def exists(self, key: str) -> bool:
        """Whether a file is stored under the key."""

    def delete(self, key: str) -> None:
        """Remove the file (nothing happens when there is none)."""

    def stored_keys(self) -> Iterator[str]:
        """Every stored key (the privacy scan reads every file; order unspecified)."""


def check_key(key: str) -> str:
    """A key is 64 lower-case hex digits: nothing else reaches a path or an object name."""
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError("A storage key is the SHA-256 hex digest of the content.")
    return key


def chunks(data: bytes | BinaryIO):
    """The content in pieces of at most CHUNK bytes, whether bytes or a stream."""
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data)
        for start in range(0, len(view), CHUNK):
            yield bytes(view[start : start + CHUNK])
        return
    while piece := data.read(CHUNK):
        yield piece


def digest(data: bytes) -> str:
    """The key bytes are stored under."""
    return hashlib.sha256(data).hexdigest()


def build(config: dict, instance_path: str) -> Storage:
    """The backend the settings name."""
    backend = (config.get("STORAGE_BACKEND") or "local").lower()
    if backend == "local":
        from pathlib import Path

        from supportdesk.storage.local import LocalStorage

        root = config.get("STORAGE_DIR") or str(Path(instance_path) / "files")
        return LocalStorage(root)
    if backend == "s3":
        from supportdesk.storage.s3 import S3Storage

        return S3Storage.from_config(config)
    raise ValueError(f"SUPPORTDESK_STORAGE_BACKEND must be 'local' or 's3', not {backend!r}.")


def init_app(app: Flask) -> None:
    """Build the configured backend once (a bad setting stops the app at start, not at upload)."""
    app.extensions["storage"] = build(app.config, app.instance_path)


def storage() -> Storage:
    """The app's storage backend."""
    return current_app.extensions["storage"]
