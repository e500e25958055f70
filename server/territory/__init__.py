"""Administrative territory: county → township → village, keyed by official codes."""
