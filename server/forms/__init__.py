"""Published inspection forms: the database side of the `inspection_forms` engine."""
