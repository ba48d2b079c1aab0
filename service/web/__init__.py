"""The web entry points: pages and the REST API."""
