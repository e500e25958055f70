"""Time checks on one photo, as pure functions of the values involved.

Clocks: EXIF DateTimeOriginal and the app's reported times are on the device clock;
received_at and the task window are on the server clock. The device reports its skew
(device_clock - server_clock, seconds) and device times are corrected by it before they are
compared with server times. Two device-clock times are compared directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .findings import Finding, finding

_MAX_UTC_OFFSET = timedelta(hours=14)
_MIN_UTC_OFFSET = timedelta(hours=-12)
_OFFSET_STEP = timedelta(minutes=15)


@dataclass(frozen=True)
class TimePolicy:
    """Defaults from DOMAIN.md §5 [K]: offline gap ≤ 7 days, EXIF/device skew ≤ 5 min."""

    after_upload_tolerance_s: float = 120.0
    future_margin_s: float = 86400.0
    max_age_s: float = 7 * 86400.0
    device_skew_tolerance_s: float = 300.0
    task_window_tolerance_s: float = 0.0
    inspection_tolerance_s: float = 300.0
    gps_stale_s: float = 600.0
    clock_drift_s: float = 120.0


def to_server_clock(device_time: datetime, clock_skew_s: float) -> datetime:
    """A device-clock time on the server clock, given skew = device_clock - server_clock."""
    return device_time - timedelta(seconds=clock_skew_s)


def check_task_window(
    captured_at: datetime,
    opens_at: datetime | None,
    due_at: datetime | None,
    policy: TimePolicy = TimePolicy(),
) -> Finding | None:
    """Capture (server clock) inside the patrol task's window; either bound may be open."""
    tolerance = timedelta(seconds=policy.task_window_tolerance_s)
    early = opens_at is not None and captured_at < opens_at - tolerance
    late = due_at is not None and captured_at > due_at + tolerance
    if not (early or late):
        return None
    return finding(
        "TIME_OUTSIDE_TASK_WINDOW",
        captured_at=captured_at.isoformat(),
        opens_at=opens_at.isoformat() if opens_at else None,
        due_at=due_at.isoformat() if due_at else None,
        seconds=(opens_at - captured_at if early else captured_at - due_at).total_seconds(),
    )


def check_inspection_span(
    captured_at: datetime,
    started_at: datetime | None,
    finished_at: datetime | None,
    policy: TimePolicy = TimePolicy(),
) -> Finding | None:
    """Capture between the inspection's reported start and finish (same clock for all three)."""
    tolerance = timedelta(seconds=policy.inspection_tolerance_s)
    if started_at is not None and captured_at < started_at - tolerance:
        outside = started_at - captured_at
    elif finished_at is not None and captured_at > finished_at + tolerance:
        outside = captured_at - finished_at
    else:
        return None
    return finding("TIME_OUTSIDE_INSPECTION", seconds=outside.total_seconds())


def check_against_receipt(
    captured_at: datetime, received_at: datetime, policy: TimePolicy = TimePolicy()
) -> Finding | None:
    """Capture (server clock) versus arrival: not after it, not older than the offline limit.

    A capture more than a day after arrival is a clock that was never set (2038, 2099), named
    TIME_FUTURE; minutes after arrival is TIME_AFTER_UPLOAD.
    """
    ahead = (captured_at - received_at).total_seconds()
    if ahead > policy.future_margin_s:
        return finding("TIME_FUTURE", captured_at=captured_at.isoformat(), seconds=ahead)
    if ahead > policy.after_upload_tolerance_s:
        return finding("TIME_AFTER_UPLOAD", seconds=ahead)
    if -ahead > policy.max_age_s:
        return finding("TIME_TOO_OLD", seconds=-ahead, days=-ahead / 86400)
    return None


def check_device_capture(
    exif_captured_at: datetime, device_captured_at: datetime, policy: TimePolicy = TimePolicy()
) -> Finding | None:
    """EXIF capture time versus the app's own capture record (both device clock)."""
    skew = (exif_captured_at - device_captured_at).total_seconds()
    if abs(skew) <= policy.device_skew_tolerance_s:
        return None
    return finding("TIME_DEVICE_MISMATCH", seconds=skew)


def check_gps_time(
    captured_at: datetime,
    offset_assumed: bool,
    utc_offset_min: int,
    gps_time_utc: datetime,
    policy: TimePolicy = TimePolicy(),
) -> Finding | None:
    """GPS fix time versus capture time: a stale fix (warning) or a drifting camera clock (info).

    Without OffsetTimeOriginal the camera's zone is unknown, so the local time minus GPS UTC is
    split into a plausible zone offset (a multiple of 15 min in -12..+14 h) and a residual; only
    the residual counts. A difference that is no zone at all (the Nexus 4's 27 h) is all residual.
    """
    if offset_assumed:
        local = captured_at + timedelta(minutes=utc_offset_min)
        difference = local - gps_time_utc
        if _MIN_UTC_OFFSET - _OFFSET_STEP / 2 <= difference <= _MAX_UTC_OFFSET + _OFFSET_STEP / 2:
            zone = round(difference / _OFFSET_STEP) * _OFFSET_STEP
            data = {"inferred_offset_min": zone.total_seconds() / 60}
        else:
            zone, data = timedelta(0), {"inferred_offset_min": None}
        residual = difference - zone
    else:
        residual, data = captured_at - gps_time_utc, {}
    seconds = residual.total_seconds()
    if abs(seconds) > policy.gps_stale_s:
        return finding("GPS_FIX_STALE", seconds=seconds, **data)
    if abs(seconds) > policy.clock_drift_s:
        return finding("TIME_CLOCK_DRIFT", seconds=seconds, **data)
    return None
