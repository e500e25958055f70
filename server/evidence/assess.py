"""All checks on one photo, and the evidence level of an inspection's photos.

assess_photo is pure: the caller (the inspection service) supplies everything that needs the
database or the device record in a PhotoContext, including reuse look-ups already done by
SHA-256 and by perceptual hash.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from shapely.geometry.base import BaseGeometry

from .editing import EDITOR_SOFTWARE, check_editing
from .extraction import PhotoMetadata
from .findings import Finding, finding, reuse_exact_finding
from .geofence import GeofencePolicy, check_geofence
from .perceptual import DEFAULT_MAX_DISTANCE
from .timechecks import (
    TimePolicy,
    check_against_receipt,
    check_device_capture,
    check_gps_time,
    check_inspection_span,
    check_task_window,
    to_server_clock,
)

EvidenceLevel = Literal["trusted", "doubtful", "insufficient"]

_DECODE_FINDINGS = {
    "truncated": "DECODE_TRUNCATED",
    "undecodable": "DECODE_FAILED",
    "bomb": "DECOMPRESSION_BOMB",
}
_GPS_FINDINGS = {"absent": "GPS_MISSING", "null_island": "GPS_NULL_ISLAND", "invalid": "GPS_INVALID"}


@dataclass(frozen=True)
class DeviceFix:
    """The app's own location at capture (WGS84), used when the EXIF has none."""

    lat: float
    lon: float
    accuracy_m: float | None = None


@dataclass(frozen=True)
class PhotoContext:
    """What the server knows about the photo besides its bytes.

    Device-clock times: device_captured_at, inspection_started_at, inspection_finished_at (and
    the EXIF time). Server-clock times: received_at, task_opens_at, task_due_at.
    """

    parcel: BaseGeometry | None = None  # EPSG:4490 lon/lat
    device_fix: DeviceFix | None = None
    device_captured_at: datetime | None = None
    inspection_started_at: datetime | None = None
    inspection_finished_at: datetime | None = None
    clock_skew_s: float = 0.0  # device_clock - server_clock
    received_at: datetime | None = None
    task_opens_at: datetime | None = None
    task_due_at: datetime | None = None
    exact_reuse_of: Sequence[Hashable] = ()  # earlier uses of the same SHA-256 (this one is a copy)
    reused_later_by: Sequence[Hashable] = ()  # later uses of the same SHA-256 (this one is the original)
    near_duplicates: Sequence[tuple[Hashable, int]] = ()  # (photo id, hamming distance)


@dataclass(frozen=True)
class EvidencePolicy:
    geofence: GeofencePolicy = field(default_factory=GeofencePolicy)
    time: TimePolicy = field(default_factory=TimePolicy)
    near_duplicate_max_distance: int = DEFAULT_MAX_DISTANCE
    editor_software: tuple[str, ...] = EDITOR_SOFTWARE


def _location_findings(metadata: PhotoMetadata, context: PhotoContext, policy: EvidencePolicy) -> list[Finding]:
    findings: list[Finding] = []
    device = context.device_fix
    if metadata.gps is not None:
        lat, lon, source = metadata.gps.lat, metadata.gps.lon, "exif"
        accuracy = metadata.gps.accuracy_m or (device.accuracy_m if device else None)
    else:
        code = _GPS_FINDINGS[metadata.gps_status]
        notes = [n for n in metadata.notes if n.startswith("GPS")]
        findings.append(finding(code, "warning" if device else "error", notes=notes))
        if device is None:
            return findings
        findings.append(finding("DEVICE_FIX_FALLBACK", lat=device.lat, lon=device.lon))
        lat, lon, source, accuracy = device.lat, device.lon, "device", device.accuracy_m
    if accuracy is not None and accuracy > policy.geofence.max_accuracy_m:
        findings.append(finding("GPS_ACCURACY_POOR", accuracy_m=accuracy))
    if context.parcel is not None:
        findings.append(check_geofence(lon, lat, context.parcel, accuracy, policy.geofence, source))
    return findings


def _time_findings(metadata: PhotoMetadata, context: PhotoContext, policy: TimePolicy) -> list[Finding]:
    findings: list[Finding | None] = []
    captured = metadata.captured_at  # device clock
    if captured is None:
        findings.append(finding("CAPTURE_TIME_MISSING"))
        captured = context.device_captured_at
    elif context.device_captured_at is not None:
        findings.append(check_device_capture(captured, context.device_captured_at, policy))
    if captured is None:
        return [f for f in findings if f is not None]
    findings.append(
        check_inspection_span(captured, context.inspection_started_at, context.inspection_finished_at, policy)
    )
    on_server_clock = to_server_clock(captured, context.clock_skew_s)
    findings.append(check_task_window(on_server_clock, context.task_opens_at, context.task_due_at, policy))
    if context.received_at is not None:
        findings.append(check_against_receipt(on_server_clock, context.received_at, policy))
    gps_time = metadata.gps.gps_time_utc if metadata.gps else None
    if metadata.captured_at is not None and gps_time is not None:
        findings.append(
            check_gps_time(
                metadata.captured_at, metadata.captured_at_offset_assumed, metadata.utc_offset_min or 0, gps_time, policy
            )
        )
    return [f for f in findings if f is not None]


def _reuse_findings(context: PhotoContext, policy: EvidencePolicy) -> list[Finding]:
    findings = []
    if context.exact_reuse_of:
        findings.append(reuse_exact_finding(list(context.exact_reuse_of)))
    elif context.reused_later_by:
        # The first use is the original: the copies carry the error, the original only this note.
        later = list(context.reused_later_by)
        findings.append(finding("REUSE_ORIGINAL", count=len(later), other_photo_ids=later))
    near = [(pid, d) for pid, d in context.near_duplicates if d <= policy.near_duplicate_max_distance]
    if near:
        closest = min(d for _, d in near)
        findings.append(finding("REUSE_NEAR", hash_distance=closest, matches=[list(m) for m in near]))
    return findings


def assess_photo(
    metadata: PhotoMetadata, context: PhotoContext = PhotoContext(), policy: EvidencePolicy = EvidencePolicy()
) -> list[Finding]:
    """Every finding for one photo, in a stable order: file, location, time, reuse, editing."""
    if metadata.decode_status == "not_an_image":
        return [finding("NOT_AN_IMAGE")]
    findings: list[Finding] = []
    if metadata.decode_status in _DECODE_FINDINGS:
        code = _DECODE_FINDINGS[metadata.decode_status]
        if code == "DECOMPRESSION_BOMB":
            findings.append(finding(code, width=metadata.width or "?", height=metadata.height or "?"))
        elif code == "DECODE_FAILED":
            findings.append(finding(code, notes=list(metadata.notes)))
        else:
            findings.append(finding(code))
    if metadata.format == "HEIF":
        findings.append(finding("HEIC"))
    if metadata.exif_status == "corrupt":
        findings.append(finding("EXIF_CORRUPT"))
    findings += _location_findings(metadata, context, policy)
    findings += _time_findings(metadata, context, policy.time)
    findings += _reuse_findings(context, policy)
    findings += check_editing(metadata, policy.editor_software)
    return findings


def evidence_level(findings_per_photo: Sequence[Sequence[Finding]], required_photos_ok: bool) -> EvidenceLevel:
    """The inspection's evidence level from its photos' findings.

    A photo is usable when it has no error. The caller says whether the required set of photos
    (e.g. 全景 + 近景) is present and usable, since that depends on the form, not on findings.
      insufficient: required photos missing, no photos, or no usable photo;
      doubtful:     some photo has an error (but not all) or any photo has a warning;
      trusted:      otherwise (info findings only).
    """
    severities = [{f.severity for f in findings} for findings in findings_per_photo]
    usable = [s for s in severities if "error" not in s]
    if not required_photos_ok or not usable:
        return "insufficient"
    if len(usable) < len(severities) or any("warning" in s for s in severities):
        return "doubtful"
    return "trusted"
