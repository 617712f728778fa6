"""Benchmarks of the provider's cost: `make bench` runs them and writes `docs/performance.md`."""
