"""Tests of the accountability capability."""
