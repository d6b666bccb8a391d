"""Chunked streaming AEAD for attachments (keys.streaming)."""

import builtins
import io
import itertools
import os
import struct

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys import (
    Aad,
    DecryptionFailed,
    KeysError,
    TooLarge,
    decrypt_bytes,
    decrypt_stream,
    encrypt_bytes,
    encrypt_stream,
    sealed_size,
)
from keys.streaming import HEADER_SIZE

KEY = bytes(range(32))
GOLDEN = bytes.fromhex(
    "3000000008c8dfb2d094a22b81a1741cf233189dd945c672b72de08089ff9db9ddc07cbb04a2fa37cc9ec04b15767265"
    "debea88d095ade5188b96e3ab23473e2ba1e2256b4c1fa742cdfccd04d06ae88"
)
GOLDEN_PLAIN = b"0123456789abcdefghij"


def pieces(data, size):
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


@pytest.mark.parametrize("length", [0, 1, 15, 16, 17, 32, 33, 100])
@pytest.mark.parametrize("piece", [1, 7, 16, 1000])
def test_round_trip_across_chunk_boundaries(length, piece):
    data = os.urandom(length)
    sealed = list(encrypt_stream(KEY, pieces(data, piece), b"file-1", chunk_size=16))
    assert b"".join(decrypt_stream(KEY, sealed, b"file-1")) == data
    assert len(b"".join(sealed)) == sealed_size(length, 16)


def test_input_is_rechunked_into_fixed_size_chunks():
    data = os.urandom(100)
    sealed = list(encrypt_stream(KEY, [data[:3], data[3:90], data[90:]], b"a", chunk_size=16))
    assert len(sealed[0]) == HEADER_SIZE == 12
    assert [len(c) for c in sealed[1:]] == [32] * 6 + [4 + 16]


def test_exact_multiple_ends_with_a_full_final_chunk():
    sealed = list(encrypt_stream(KEY, [b"x" * 32], b"a", chunk_size=16))
    assert [len(c) for c in sealed[1:]] == [32, 32]


def test_empty_input_still_has_an_authenticated_final_chunk():
    sealed = list(encrypt_stream(KEY, [], b"a", chunk_size=16))
    assert [len(c) for c in sealed] == [12, 16]
    assert b"".join(decrypt_stream(KEY, sealed, b"a")) == b""


def test_decrypt_accepts_any_piece_size():
    data = os.urandom(200)
    blob = encrypt_bytes(KEY, data, b"a", chunk_size=16)
    for size in (1, 5, 31, 32, 33, len(blob)):
        assert b"".join(decrypt_stream(KEY, pieces(blob, size), b"a")) == data


def test_decrypt_yields_chunk_by_chunk():
    data = os.urandom(64)
    out = list(decrypt_stream(KEY, [encrypt_bytes(KEY, data, b"a", chunk_size=16)], b"a"))
    assert out == [data[0:16], data[16:32], data[32:48], data[48:64]]


def test_header_layout():
    blob = encrypt_bytes(KEY, b"abc", b"a", chunk_size=1000)
    fmt, chunk_size = struct.unpack(">BI", blob[:5])
    assert (fmt, chunk_size) == (0x30, 1000)
    assert encrypt_bytes(KEY, b"abc", b"a")[5:12] != blob[5:12]


def test_golden_vector_and_documented_nonce_layout():
    assert decrypt_bytes(KEY, GOLDEN, b"file-1") == GOLDEN_PLAIN
    header, prefix = GOLDEN[:12], GOLDEN[5:12]
    cipher = AESGCM(KEY)
    assoc = header + b"file-1"
    body = GOLDEN[12:]
    first = cipher.decrypt(prefix + b"\x00\x00\x00\x00\x00", body[:24], assoc)
    second = cipher.decrypt(prefix + b"\x00\x00\x00\x01\x00", body[24:48], assoc)
    last = cipher.decrypt(prefix + b"\x00\x00\x00\x02\x01", body[48:], assoc)
    assert first + second + last == GOLDEN_PLAIN


def test_aad_object_is_accepted():
    aad = Aad("t", "c", "attachment", "content", 1)
    blob = encrypt_bytes(KEY, b"pdf bytes", aad)
    assert decrypt_bytes(KEY, blob, aad) == b"pdf bytes"
    with pytest.raises(DecryptionFailed):
        decrypt_bytes(KEY, blob, Aad("t", "c", "attachment", "name", 1))


def test_max_bytes_allows_exactly_the_limit():
    blob = encrypt_bytes(KEY, b"x" * 100, b"a", chunk_size=16, max_bytes=100)
    assert decrypt_bytes(KEY, blob, b"a", max_bytes=100) == b"x" * 100


def test_max_bytes_exceeded_during_encryption():
    with pytest.raises(TooLarge) as info:
        encrypt_bytes(KEY, b"x" * 101, b"a", chunk_size=16, max_bytes=100)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, KeysError)
    assert "100" in str(info.value)


def test_max_bytes_stops_an_endless_upload_early():
    endless = itertools.repeat(b"y" * 1000)
    consumed = []
    with pytest.raises(TooLarge):
        for chunk in encrypt_stream(KEY, endless, b"a", max_bytes=10_000):
            consumed.append(chunk)
    assert sum(len(c) for c in consumed) < 20_000


def test_max_bytes_on_decryption():
    blob = encrypt_bytes(KEY, b"x" * 100, b"a", chunk_size=16)
    with pytest.raises(TooLarge):
        decrypt_bytes(KEY, blob, b"a", max_bytes=99)
    with pytest.raises(TooLarge):
        decrypt_bytes(KEY, blob, b"a", max_bytes=90)


@pytest.mark.parametrize("chunk_size", [0, -1, 2**24 + 1, True, 1.5])
def test_chunk_size_is_validated(chunk_size):
    with pytest.raises(ValueError):
        encrypt_stream(KEY, [b"x"], b"a", chunk_size=chunk_size)


@pytest.mark.parametrize("limit", [-1, 1.5, True])
def test_max_bytes_is_validated(limit):
    with pytest.raises(ValueError):
        encrypt_stream(KEY, [b"x"], b"a", max_bytes=limit)
    with pytest.raises(ValueError):
        decrypt_stream(KEY, [b"x"], b"a", max_bytes=limit)


def test_arguments_are_checked_before_iteration():
    with pytest.raises(KeysError):
        encrypt_stream(b"short", [b"x"], b"a")
    with pytest.raises(KeysError):
        decrypt_stream(b"short", [b"x"], b"a")


def test_input_is_consumed_lazily():
    seen = []

    def source():
        for i in range(5):
            seen.append(i)
            yield bytes([i]) * 16

    stream = encrypt_stream(KEY, source(), b"a", chunk_size=16)
    assert seen == []
    next(stream)  # the header needs no input
    assert seen == []
    next(stream)
    assert seen == [0, 1]


@pytest.mark.parametrize("blob", [b"", b"\x30", GOLDEN[:12], GOLDEN[:12] + b"\x00" * 15])
def test_short_streams_fail(blob):
    with pytest.raises(DecryptionFailed):
        decrypt_bytes(KEY, blob, b"file-1")


@pytest.mark.parametrize("chunk_size", [0, 2**24 + 1, 9])
def test_forged_header_fails(chunk_size):
    forged = struct.pack(">BI", 0x30, chunk_size) + GOLDEN[5:]
    with pytest.raises(DecryptionFailed):
        decrypt_bytes(KEY, forged, b"file-1")


def test_wrong_key_fails():
    with pytest.raises(DecryptionFailed):
        decrypt_bytes(bytes(32), GOLDEN, b"file-1")


def test_plaintext_never_touches_the_disk(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("disk access during streaming")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    monkeypatch.setattr(os, "open", refuse)
    data = os.urandom(300_000)
    blob = encrypt_bytes(KEY, data, b"a")
    assert decrypt_bytes(KEY, blob, b"a") == data
