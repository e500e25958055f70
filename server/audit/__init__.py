"""The append-only, hash-chained audit trail (全过程留痕)."""
