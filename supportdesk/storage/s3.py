"""S3-compatible bucket storage (AWS S3, MinIO, Ceph, Garage…) through boto3.

Objects are named `<prefix><key>`. A put hashes the content first (a stream is spooled to a
temporary file, never held whole in memory), skips the upload when the object already exists,
and uploads with boto3's managed transfer: S3 makes an object visible only once its upload
completed, so a failed upload never leaves a partial object under a real key. The secret key
is handed to boto3 only; it never appears in a message, a repr or a log line.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from supportdesk.storage import _KEY, CHUNK, MissingFile, StorageError, check_key, chunks

_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


class S3Storage:
    """Content-addressed objects in one bucket."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix

    @classmethod
    def from_config(cls, config: dict) -> S3Storage:
        """The bucket the STORAGE_S3_* settings name."""
        bucket = config.get("STORAGE_S3_BUCKET")
        if not bucket:
            raise ValueError("SUPPORTDESK_STORAGE_S3_BUCKET is required with the s3 backend.")
        client = boto3.client(
            "s3",
            endpoint_url=config.get("STORAGE_S3_ENDPOINT_URL") or None,
            region_name=config.get("STORAGE_S3_REGION") or "us-east-1",
            aws_access_key_id=config.get("STORAGE_S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=config.get("STORAGE_S3_SECRET_ACCESS_KEY") or None,
            config=Config(
                retries={"max_attempts": 3, "mode": "standard"},
                s3={"addressing_style": config.get("STORAGE_S3_ADDRESSING_STYLE") or "auto"},
            ),
        )
        return cls(client, bucket, config.get("STORAGE_S3_PREFIX") or "")

    def __repr__(self) -> str:
        return f"<S3Storage bucket={self.bucket!r} prefix={self.prefix!r}>"

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _fail(self, action: str, exc: Exception) -> StorageError:
        code = exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else ""
        return StorageError(f"The bucket refused to {action}: {code or type(exc).__name__}.")

    def put(self, data: bytes | BinaryIO) -> str:
        with tempfile.SpooledTemporaryFile(max_size=8 * CHUNK) as spool:
            sha = hashlib.sha256()
            for piece in chunks(data):
                sha.update(piece)
                spool.write(piece)
            key = sha.hexdigest()
            if self.exists(key):
                return key
            spool.seek(0)
            try:
                self.client.upload_fileobj(spool, self.bucket, self._name(key))
            except (BotoCoreError, ClientError) as exc:
                raise self._fail("store a file", exc) from exc
        return key

    def open(self, key: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _NOT_FOUND:
                raise MissingFile(f"No stored file {key}.") from None
            raise self._fail("read a file", exc) from exc
        except BotoCoreError as exc:
            raise self._fail("read a file", exc) from exc

    def read(self, key: str) -> bytes:
        body = self.open(key)
        try:
            return body.read()
        finally:
            body.close()

    def _head(self, key: str) -> dict | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _NOT_FOUND:
                return None
            raise self._fail("describe a file", exc) from exc
        except BotoCoreError as exc:
            raise self._fail("describe a file", exc) from exc

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise MissingFile(f"No stored file {key}.")
        return int(head["ContentLength"])

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except (BotoCoreError, ClientError) as exc:
            raise self._fail("delete a file", exc) from exc

    def stored_keys(self) -> Iterator[str]:
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            )
            for page in pages:
                for item in page.get("Contents", []):
                    name = item["Key"][len(self.prefix) :]
                    if _KEY.match(name):
                        yield name
        except (BotoCoreError, ClientError) as exc:
            raise self._fail("list its files", exc) from exc
