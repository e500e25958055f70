"""Photo evidence tests (a package so helpers import the same way in every import mode)."""
