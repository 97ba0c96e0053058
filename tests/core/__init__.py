"""Tests of the core capability."""
