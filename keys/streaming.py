"""Chunked streaming AEAD for attachments (SECURITY.md property 2, test 4).

The construction is the STREAM scheme of Hoang, Reyhanitabar, Rogaway and
Vizár, as in Tink's AES-GCM-HKDF streaming: every chunk is sealed with
AES-256-GCM under the per-file key and the nonce::

    nonce prefix (7, random per file) | chunk counter (4, big-endian) | last flag (1)

so truncating, dropping, duplicating or reordering chunks, or removing the
final chunk, makes decryption fail.  Framing::

    header = format 0x30 (1) | chunk size (4, big-endian) | nonce prefix (7)
    chunks = AES-GCM(plaintext chunk) + tag (16), each chunk_size + 16 bytes,
             the last one 0 .. chunk_size + 16 bytes

The header and the caller's AAD are the AES-GCM associated data of every
chunk.  Plaintext lives only in memory; nothing here touches the disk.
``decrypt_stream`` yields a chunk as soon as it is authenticated: a consumer
must discard everything it received if the iteration later raises.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys.aead import TAG_SIZE, Aad, aad_bytes, check_key
from keys.errors import DecryptionFailed, TooLarge
from keys.shred import wipe

FORMAT_STREAM = 0x30
PREFIX_SIZE = 7
DEFAULT_CHUNK_SIZE = 65536
MAX_CHUNK_SIZE = 2**24
_HEADER = struct.Struct(">BI7s")
HEADER_SIZE = _HEADER.size
_MAX_CHUNKS = 2**32


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter >= _MAX_CHUNKS:
        raise TooLarge("stream has more than 2**32 chunks")
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


def _check_limit(max_bytes: int | None) -> None:
    if max_bytes is not None and (
        isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0
    ):
        raise ValueError("max_bytes must be None or a non-negative int")


def encrypt_stream(
    key: bytes,
    chunks: Iterable[bytes],
    aad: Aad | bytes,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    *,
    max_bytes: int | None = None,
) -> Iterator[bytes]:
    """Encrypt an iterable of byte pieces of any size; yield the header, then sealed chunks.

    The input is re-chunked into ``chunk_size`` pieces.  Raises TooLarge
    during iteration once more than ``max_bytes`` of plaintext arrived.
    """
    if (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, int)
        or not 1 <= chunk_size <= MAX_CHUNK_SIZE
    ):
        raise ValueError(f"chunk_size must be an int in 1 .. {MAX_CHUNK_SIZE}")
    _check_limit(max_bytes)
    cipher = AESGCM(check_key(key))
    header = _HEADER.pack(FORMAT_STREAM, chunk_size, os.urandom(PREFIX_SIZE))
    return _encrypt(cipher, header, header + aad_bytes(aad), chunks, max_bytes)


def _encrypt(
    cipher: AESGCM, header: bytes, associated: bytes, chunks: Iterable[bytes], max_bytes: int | None
) -> Iterator[bytes]:
    _, chunk_size, prefix = _HEADER.unpack(header)
    yield header
    buf = bytearray()
    counter = total = 0
    try:
        for piece in chunks:
            total += len(piece)
            if max_bytes is not None and total > max_bytes:
                raise TooLarge(f"stream exceeds the limit of {max_bytes} bytes")
            buf += piece
            while len(buf) > chunk_size:
                block = bytes(buf[:chunk_size])
                # nosemgrep: probidad-aead-nonce-not-fresh - STREAM: random file prefix + counter
                yield cipher.encrypt(_nonce(prefix, counter, False), block, associated)
                del buf[:chunk_size]
                counter += 1
        # nosemgrep: probidad-aead-nonce-not-fresh - STREAM: random file prefix + counter
        yield cipher.encrypt(_nonce(prefix, counter, True), bytes(buf), associated)
    finally:
        wipe(buf)


def decrypt_stream(
    key: bytes, sealed_chunks: Iterable[bytes], aad: Aad | bytes, *, max_bytes: int | None = None
) -> Iterator[bytes]:
    """Decrypt the output of ``encrypt_stream``, given as byte pieces of any size.

    Yields authenticated plaintext chunks; raises DecryptionFailed if the
    stream was truncated, reordered, duplicated, extended or modified, and
    TooLarge if it holds more than ``max_bytes`` of plaintext.
    """
    _check_limit(max_bytes)
    cipher = AESGCM(check_key(key))
    return _decrypt(cipher, aad_bytes(aad), sealed_chunks, max_bytes)


def _parse_header(buf: bytearray) -> tuple[int, bytes, bytes]:
    header = bytes(buf[:HEADER_SIZE])
    fmt, chunk_size, prefix = _HEADER.unpack(header)
    if fmt != FORMAT_STREAM or not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise DecryptionFailed()
    del buf[:HEADER_SIZE]
    return chunk_size, prefix, header


def _open_chunk(cipher: AESGCM, nonce: bytes, sealed: bytes, associated: bytes) -> bytes:
    try:
        return cipher.decrypt(nonce, sealed, associated)
    except InvalidTag:
        raise DecryptionFailed() from None


def _decrypt(
    cipher: AESGCM, aad: bytes, sealed_chunks: Iterable[bytes], max_bytes: int | None
) -> Iterator[bytes]:
    buf = bytearray()
    header: bytes | None = None
    chunk_size = segment = counter = total = 0
    prefix = b""
    for piece in sealed_chunks:
        buf += piece
        if header is None:
            if len(buf) < HEADER_SIZE:
                continue
            chunk_size, prefix, header = _parse_header(buf)
            segment = chunk_size + TAG_SIZE
        while len(buf) > segment:
            plain = _open_chunk(cipher, _nonce(prefix, counter, False), bytes(buf[:segment]), header + aad)
            del buf[:segment]
            counter += 1
            total += len(plain)
            if max_bytes is not None and total > max_bytes:
                raise TooLarge(f"stream exceeds the limit of {max_bytes} bytes")
            yield plain
    if header is None or len(buf) < TAG_SIZE:
        raise DecryptionFailed()
    plain = _open_chunk(cipher, _nonce(prefix, counter, True), bytes(buf), header + aad)
    if max_bytes is not None and total + len(plain) > max_bytes:
        raise TooLarge(f"stream exceeds the limit of {max_bytes} bytes")
    yield plain


def encrypt_bytes(
    key: bytes,
    data: bytes,
    aad: Aad | bytes,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    *,
    max_bytes: int | None = None,
) -> bytes:
    """Encrypt ``data`` in one call; same framing as ``encrypt_stream``."""
    return b"".join(encrypt_stream(key, [data], aad, chunk_size, max_bytes=max_bytes))


def decrypt_bytes(key: bytes, blob: bytes, aad: Aad | bytes, *, max_bytes: int | None = None) -> bytes:
    """Decrypt a whole blob from ``encrypt_bytes``; returns only if every chunk is authentic."""
    return b"".join(decrypt_stream(key, [blob], aad, max_bytes=max_bytes))


def sealed_size(plaintext_size: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> int:
    """Return the exact ciphertext size for a plaintext of ``plaintext_size`` bytes."""
    chunks = max(1, -(-plaintext_size // chunk_size))
    return HEADER_SIZE + plaintext_size + chunks * TAG_SIZE
