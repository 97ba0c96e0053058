"""A synthetic Concord world for benchmarks: ``concord bench generate --scale S --seed N``."""
