"""The ingest pipeline the server runs once an upload is complete.

Cost is dominated by the JPEG entropy decode, so it happens once: the bytes are read once,
hashed, parsed by exifread, draft-decoded at the scale the review image needs, and that one
image feeds the review image, the thumbnail and the perceptual hash. The durable writes (fsync)
run on one I/O thread while the CPU work goes on; one thread keeps the original on disk before
its derived files.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .decode import decode, decode_slot
from .extraction import PhotoMetadata, build_metadata, read_exif_tags, read_source
from .perceptual import phash_hex
from .storage import PhotoStore, derived_key, original_key
from .thumbnails import DERIVED_SIZES, make_derived


@dataclass(frozen=True)
class IngestResult:
    sha256: str
    size_bytes: int
    metadata: PhotoMetadata
    phash: str | None  # None when the pixels did not decode
    original_key: str
    derived_keys: dict[str, str]  # size name -> key; empty when the pixels did not decode
    stored_new: bool  # False when this original was already in the store


def ingest_photo(
    source: str | os.PathLike[str] | bytes, store: PhotoStore, sizes: dict[str, int] = DERIVED_SIZES
) -> IngestResult:
    """Store the original, derive EXIF-free images and read the evidence metadata.

    Bad content never raises: the original is stored anyway (it is what was submitted) and the
    metadata carries the verdict. Errors of the store itself do raise.
    """
    data = read_source(source)
    sha256 = hashlib.sha256(data).hexdigest()
    key = original_key(sha256)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="photo-store") as io_thread:
        original_stored = io_thread.submit(store.put, key, data)
        tags, exif_status, notes = read_exif_tags(data)
        phash = None
        derived_keys: dict[str, str] = {}
        writes = [original_stored]
        with decode_slot():
            decoded = decode(data, long_side=max(sizes.values()))
            metadata = build_metadata(tags, exif_status, notes, decoded)
            if decoded.image is not None:
                derived, smallest = make_derived(decoded.image, decoded.orientation, sizes)
                for name, jpeg in derived.items():
                    derived_keys[name] = derived_key(sha256, name)
                    writes.append(io_thread.submit(store.put, derived_keys[name], jpeg))
                phash = phash_hex(smallest)
            decoded.image = None  # the full image goes before the slot is given back
        for write in writes:
            write.result()  # re-raises storage errors here
    return IngestResult(sha256, len(data), metadata, phash, key, derived_keys, original_stored.result())
