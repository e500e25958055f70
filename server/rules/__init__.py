"""Violation rules: classification by land class, abandonment over time, per-county versioned configuration."""
