"""Patrol plans and the tasks they generate: which parcel must be inspected by whom, and when."""
