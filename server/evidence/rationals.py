"""EXIF rationals to floats, without exifread's GPS helper.

exifread.utils.get_gps_coords divides by zero on 0/0 and mutates the tag dict it is given;
cameras write 0/0 for "no value", so every division here is guarded and returns None instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def ratio_to_float(value: Any) -> float | None:
    """One EXIF RATIONAL/SRATIONAL (exifread Ratio, Fraction, int or (num, den)) as a float."""
    if isinstance(value, tuple) and len(value) == 2:
        num, den = value
    elif hasattr(value, "num") and hasattr(value, "den"):
        num, den = value.num, value.den
    elif hasattr(value, "numerator") and hasattr(value, "denominator"):
        num, den = value.numerator, value.denominator
    elif isinstance(value, (int, float)):
        num, den = value, 1
    else:
        return None
    if den == 0:
        return None
    result = num / den
    return result if math.isfinite(result) else None


def dms_to_degrees(values: Sequence[Any]) -> float | None:
    """Degrees, minutes, seconds (1 to 3 rationals) to decimal degrees; None if any part is bad.

    A 0/0 in any slot makes the whole coordinate unusable: the EXIF spec has no "unused" value,
    and guessing would turn a broken tag into a location.
    """
    if not 1 <= len(values) <= 3:
        return None
    parts = [ratio_to_float(v) for v in values]
    if any(p is None or p < 0 for p in parts):
        return None
    degrees = parts[0]
    if len(parts) > 1:
        if parts[1] >= 60:
            return None
        degrees += parts[1] / 60
    if len(parts) > 2:
        if parts[2] >= 60:
            return None
        degrees += parts[2] / 3600
    return degrees
