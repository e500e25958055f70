"""Scheduled jobs (APScheduler): their run history and the lease that keeps one scheduler active."""
