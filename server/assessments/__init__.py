"""Evidence assessment persisted: each complete inspection's photo findings and its evidence level."""
