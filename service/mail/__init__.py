"""Mail: the outbox (queued in the transaction of the change that causes it), the Dutch messages, sending with
aiosmtplib (the only async code in the service) and, for development, a local catch-all server."""
