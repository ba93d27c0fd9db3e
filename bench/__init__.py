"""Benchmarks: scripts that print figures and ratios side by side in one run (docs/performance.md and the
other docs quote them). Run from the repository root as modules, e.g. `python -m bench.pipeline --help`."""
