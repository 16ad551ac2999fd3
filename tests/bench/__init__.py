"""Atelier's benchmarks: each job timed against a reference tool on the same files (`python -m tests.bench`)."""
