"""The storage interface on both backends: a local directory and an S3-compatible bucket (a real
HTTP server, moto's), with the same cases: round trip, streams, deduplication, partial writes."""

from __future__ import annotations

import hashlib
import io
import logging

import pytest

from supportdesk.storage import CHUNK, MissingFile, StorageError, build
from supportdesk.storage.local import LocalStorage
from tests.fixtures.s3 import SECRET_KEY


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    """Each backend, empty."""
    if request.param == "local":
        return build({"STORAGE_BACKEND": "local", "STORAGE_DIR": str(tmp_path)}, str(tmp_path))
    return build(request.getfixturevalue("s3_config"), str(tmp_path))


class Broken(io.RawIOBase):
    """A stream that fails after giving some bytes (a client that disconnects mid-upload)."""

    def __init__(self, good: bytes) -> None:
        self.good, self.given = good, False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if not self.given:
            self.given = True
            return self.good
        raise OSError("connection reset by peer")


def test_bytes_stored_come_back_under_their_sha256(store):
    data = b"invoice 2026\n" * 100

    key = store.put(data)

    assert key == hashlib.sha256(data).hexdigest()
    assert store.read(key) == data
    assert store.size(key) == len(data)
    assert store.exists(key)
    with store.open(key) as f:
        assert f.read() == data


def test_a_stream_larger_than_a_chunk_is_stored_whole(store):
    data = bytes(range(256)) * (CHUNK // 256 * 2 + 7)  # two chunks and a bit

    key = store.put(io.BytesIO(data))

    assert key == hashlib.sha256(data).hexdigest() and store.read(key) == data


def test_the_same_file_sent_twice_is_stored_once(store, tmp_path):
    first = store.put(b"same bytes")
    second = store.put(io.BytesIO(b"same bytes"))

    assert first == second
    if isinstance(store, LocalStorage):
        stored = [p for p in tmp_path.rglob("*") if p.is_file()]
        assert [p.name for p in stored] == [first]
    else:
        listing = store.client.list_objects_v2(Bucket=store.bucket)
        assert [o["Key"] for o in listing["Contents"]] == [f"files/{first}"]


def test_a_write_that_fails_midway_leaves_nothing_under_any_key(store, tmp_path):
    with pytest.raises((OSError, StorageError)):
        store.put(Broken(b"half of a file"))

    assert not store.exists(hashlib.sha256(b"half of a file").hexdigest())
    if isinstance(store, LocalStorage):
        assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # no temporary file left
    else:
        assert store.client.list_objects_v2(Bucket=store.bucket).get("KeyCount") == 0


def test_delete_removes_the_file_and_is_quiet_when_it_is_gone(store):
    key = store.put(b"to delete")

    store.delete(key)
    store.delete(key)

    assert not store.exists(key)
    with pytest.raises(MissingFile):
        store.read(key)
    with pytest.raises(MissingFile):
        store.size(key)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("../../etc/passwd", id="path-traversal"),
        pytest.param("A" * 64, id="upper-case"),
        pytest.param("ab", id="too-short"),
        pytest.param("0" * 63 + "/", id="slash"),
    ],
)
def test_only_sha256_hex_keys_are_accepted(store, key):
    with pytest.raises(ValueError, match="SHA-256"):
        store.exists(key)


def test_the_s3_secret_appears_in_no_repr_error_or_log(s3_config, tmp_path, caplog):
    store = build({**s3_config, "STORAGE_S3_BUCKET": "no-such-bucket"}, str(tmp_path))
    caplog.set_level(logging.DEBUG)

    with pytest.raises(StorageError) as refused:
        store.put(b"anything")

    assert "NoSuchBucket" in str(refused.value)
    for text in (repr(store), str(refused.value), caplog.text):
        assert SECRET_KEY not in text


def test_an_unknown_backend_is_refused_at_start(tmp_path):
    with pytest.raises(ValueError, match="'local' or 's3'"):
        build({"STORAGE_BACKEND": "ftp"}, str(tmp_path))


def test_the_s3_backend_needs_a_bucket(tmp_path):
    with pytest.raises(ValueError, match="STORAGE_S3_BUCKET"):
        build({"STORAGE_BACKEND": "s3"}, str(tmp_path))
