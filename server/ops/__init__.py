"""Running the server in production: health and readiness probes, and structured request logs."""
