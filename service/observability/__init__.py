"""Logs and metrics of the running service."""
