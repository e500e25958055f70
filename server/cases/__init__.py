"""Violation cases and the township review workflow (上报→核查→整改→销号)."""
