"""Downloader middlewares: the I/O edge where responses come from (network or cassette)."""
