"""A large part deflated on both cores: its first half on a second thread, the rest on the caller's.

zlib lets go of the interpreter's lock while it deflates, so the halves are compressed at the same time.
The first half ends with a full flush (its blocks byte-aligned, none marked last) and the second starts a
stream of its own, so the two outputs joined are one raw deflate stream, as a zip entry holds it (the
way pigz splits its work); what it costs is the half's history the second one cannot refer to."""
from __future__ import annotations

import threading
import zlib


def deflate(data: bytes, level: int) -> tuple[bytes, int]:
    """(raw deflate stream, CRC-32) of `data`."""
    half = len(data) // 2
    head: list[bytes] = []
    failed: list[BaseException] = []

    def first_half() -> None:
        try:
            compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
            head.append(compressor.compress(data[:half]) + compressor.flush(zlib.Z_FULL_FLUSH))
        except BaseException as exc:  # raised again on the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=first_half, name="selfeval-deflate", daemon=True)
    thread.start()
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    tail = compressor.compress(data[half:]) + compressor.flush()
    crc = zlib.crc32(data)
    thread.join()
    if failed:
        raise failed[0]
    return head[0] + tail, crc
