"""Inspections pushed by devices: exactly-once acceptance, photo completeness, the completion hook."""
