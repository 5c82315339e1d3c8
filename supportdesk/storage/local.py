"""Local-directory storage: files under <root>/<aa>/<bb>/<key>, written whole or not at all.

A write goes to a temporary file in the same directory, is flushed to disk, then renamed over
the final name: a reader never sees half a file, a crash leaves only a temporary file (never a
wrong one under a real key), and two writers of the same content both end with the same file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from supportdesk.storage import _KEY, MissingFile, StorageError, check_key, chunks


class LocalStorage:
    """Content-addressed files in a directory (created when missing)."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes | BinaryIO) -> str:
        incoming = self.root / "incoming"
        try:
            incoming.mkdir(parents=True, exist_ok=True)
            sha = hashlib.sha256()
            handle, temp = tempfile.mkstemp(dir=incoming, prefix="part-")
            try:
                with os.fdopen(handle, "wb") as out:
                    for piece in chunks(data):
                        sha.update(piece)
                        out.write(piece)
                    out.flush()
                    os.fsync(out.fileno())
                key = sha.hexdigest()
                final = self._path(key)
                if final.exists():
                    return key  # the same content is already stored: keep one copy
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(temp, final)
                return key
            finally:
                Path(temp).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"Could not store the file: {exc.strerror or exc}") from exc

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise MissingFile(f"No stored file {key}.") from None

    def read(self, key: str) -> bytes:
        with self.open(key) as f:
            return f.read()

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise MissingFile(f"No stored file {key}.") from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def stored_keys(self) -> Iterator[str]:
        for path in self.root.glob("??/??/*"):
            if _KEY.match(path.name) and path.is_file():
                yield path.name
