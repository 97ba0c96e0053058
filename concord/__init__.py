"""Concord: a shared coordination platform for peace operations and peace processes."""

__version__ = "0.1.0"
