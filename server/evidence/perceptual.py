"""Perceptual hashes for reuse detection: the same scene re-submitted, resized or recompressed.

The hash is taken from the upright thumbnail, so a rotated or re-encoded copy of a photo hashes
close to the original. Storage is a 16-hex-digit string (64 bits); the DB may keep it as an int.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import imagehash
from PIL import Image

DEFAULT_MAX_DISTANCE = 8  # of 64 bits; same-scene photos a few metres apart stay above this


def phash_hex(image: Image.Image) -> str:
    return str(imagehash.phash(image))


def _as_int(phash: str | int) -> int:
    return phash if isinstance(phash, int) else int(phash, 16)


def hamming_distance(a: str | int, b: str | int) -> int:
    return (_as_int(a) ^ _as_int(b)).bit_count()


def find_near_duplicates(
    phash: str | int,
    candidates: Iterable[tuple[Hashable, str | int]],
    max_distance: int = DEFAULT_MAX_DISTANCE,
) -> list[tuple[Hashable, int]]:
    """(id, distance) of candidates within max_distance, nearest first."""
    matches = []
    for candidate_id, candidate in candidates:
        distance = hamming_distance(phash, candidate)
        if distance <= max_distance:
            matches.append((candidate_id, distance))
    return sorted(matches, key=lambda match: match[1])
