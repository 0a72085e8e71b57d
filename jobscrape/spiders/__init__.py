"""One spider per job board; what they share is in ``base``."""
