"""Resumable photo uploads over tus 1.0 (core, creation, checksum, termination, expiration)."""
