"""The station side of sync: the outbox, push and pull rounds, the HTTP client and the background
worker."""
