"""Photo evidence: metadata extraction, checks and findings, derived images, storage.

Plain functions with no Flask or database; the inspection service calls them and stores the
results. Public API re-exported here.
"""

from .assess import DeviceFix, EvidencePolicy, PhotoContext, assess_photo, evidence_level
from .extraction import PhotoMetadata, extract_metadata
from .findings import CATALOGUE, Finding, finding, reuse_exact_finding
from .gcj02 import gcj02_to_wgs84, wgs84_to_gcj02
from .geofence import GeofencePolicy, check_geofence, distance_to_parcel_m
from .gps import GpsFix
from .ingest import IngestResult, ingest_photo
from .perceptual import find_near_duplicates, hamming_distance, phash_hex
from .storage import LocalDiskStore, PhotoStore, S3Store, derived_key, open_store, original_key
from .thumbnails import DERIVED_SIZES, make_derived
from .timechecks import TimePolicy

__all__ = [
    "CATALOGUE", "DERIVED_SIZES", "DeviceFix", "EvidencePolicy", "Finding", "GeofencePolicy",
    "GpsFix", "IngestResult", "LocalDiskStore", "PhotoContext", "PhotoMetadata", "PhotoStore",
    "S3Store", "TimePolicy", "assess_photo", "check_geofence", "derived_key", "distance_to_parcel_m",
    "evidence_level", "extract_metadata", "find_near_duplicates", "finding", "gcj02_to_wgs84",
    "hamming_distance", "ingest_photo", "make_derived", "open_store", "original_key", "phash_hex",
    "reuse_exact_finding", "wgs84_to_gcj02",
]
