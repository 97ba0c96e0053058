"""Readers and writers for each exchange format, shared by the UI, the API and the CLI."""
