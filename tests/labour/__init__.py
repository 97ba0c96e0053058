"""Tests of the labour capability."""
