"""Photos that have fully arrived, content-addressed by SHA-256."""
