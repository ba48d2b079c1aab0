"""What operators watch: structured logs, Prometheus metrics and readiness. Free of Flask, so the domain and the
scheduler can use it too; the web hooks live in service/web/ (request_log, health, metrics_endpoint)."""
