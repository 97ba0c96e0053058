"""Tests of the operations capability."""
