"""Reads the committed PNG icons without an imaging library: size, colour type and RGBA pixels."""

from __future__ import annotations

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # grey, RGB, grey+alpha, RGBA (8-bit)


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == SIGNATURE, "not a PNG"
    found, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"bad CRC in {kind!r}"
        found.append((kind, body))
        at += 12 + length
    return found


def header(data: bytes) -> tuple[int, int, int, int]:
    """(width, height, bit depth, colour type)."""
    kind, body = chunks(data)[0]
    assert kind == b"IHDR"
    width, height, depth, colour = struct.unpack(">IIBB", body[:10])
    return width, height, depth, colour


def pixels(data: bytes) -> list[tuple[int, ...]]:
    """Every pixel, row by row, undoing the scanline filters (8-bit, non-interlaced images)."""
    width, height, depth, colour = header(data)
    assert depth == 8 and colour in CHANNELS and chunks(data)[0][1][12] == 0
    step = CHANNELS[colour]
    raw = zlib.decompress(b"".join(body for kind, body in chunks(data) if kind == b"IDAT"))
    stride = width * step
    previous = bytearray(stride)
    out: list[tuple[int, ...]] = []
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - step] if i >= step else 0
            up, corner = previous[i], previous[i - step] if i >= step else 0
            line[i] = (line[i] + _predict(kind, left, up, corner)) & 0xFF
        out.extend(tuple(line[x * step : (x + 1) * step]) for x in range(width))
        previous = line
    return out


def _predict(kind: int, left: int, up: int, corner: int) -> int:
    if kind == 0:
        return 0
    if kind == 1:
        return left
    if kind == 2:
        return up
    if kind == 3:
        return (left + up) // 2
    guess = left + up - corner  # Paeth
    near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner))
    return near[2]
