"""Signs that a photo was edited or its metadata rewritten after capture.

Each is a reason for a reviewer to look, not proof: an editor in the Software tag, an EXIF
pixel size that the real pixels do not match (cropped or resized), a GPS block without a
camera maker (metadata written by a tool rather than a camera).
"""

from __future__ import annotations

from .findings import Finding, finding
from .extraction import PhotoMetadata

# Matched case-insensitively as substrings of EXIF Software. Adobe covers Photoshop, Lightroom,
# Camera Raw and Bridge (Bridge writes GPS after the fact, as in the Nikon D5000 sample).
EDITOR_SOFTWARE: tuple[str, ...] = (
    "photoshop", "lightroom", "adobe", "gimp", "snapseed", "美图", "meitu", "picsart",
    "醒图", "hypic", "paint.net", "pixelmator", "affinity", "acdsee", "picasa", "vsco",
    "polarr", "泼辣修图", "美颜", "beautycam", "faceu", "轻颜", "黄油相机", "photoscape",
    "fotor", "canva", "photodirector", "capture one", "darktable", "rawtherapee", "luminar",
)

_SWAPPING_ORIENTATIONS = {5, 6, 7, 8}


def check_software(software: str | None, editors: tuple[str, ...] = EDITOR_SOFTWARE) -> Finding | None:
    if not software:
        return None
    lowered = software.casefold()
    for editor in editors:
        if editor.casefold() in lowered:
            return finding("EDIT_SOFTWARE", software=software, matched=editor)
    return None


def check_size(metadata: PhotoMetadata) -> Finding | None:
    """EXIF pixel size versus decoded size; orientations 5-8 may legitimately swap the two."""
    if None in (metadata.exif_width, metadata.exif_height, metadata.width, metadata.height):
        return None
    exif = (metadata.exif_width, metadata.exif_height)
    real = (metadata.width, metadata.height)
    allowed = {exif}
    if metadata.orientation in _SWAPPING_ORIENTATIONS:
        allowed.add(exif[::-1])
    if real in allowed:
        return None
    return finding(
        "EDIT_SIZE_MISMATCH",
        exif_width=exif[0], exif_height=exif[1], width=real[0], height=real[1],
    )


def check_editing(metadata: PhotoMetadata, editors: tuple[str, ...] = EDITOR_SOFTWARE) -> list[Finding]:
    findings = [check_software(metadata.software, editors)]
    if metadata.decode_status == "ok":
        findings.append(check_size(metadata))
    if metadata.make is None and metadata.gps_status != "absent":
        findings.append(finding("EDIT_NO_MAKE_WITH_GPS"))
    return [f for f in findings if f is not None]
