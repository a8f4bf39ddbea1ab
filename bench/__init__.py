"""The benchmark of PERFORMANCE.md ("How we measure"): not a test (only bench/tests, which checks the seed, is).

`python -m bench.run --scale small|full` (or `make bench SCALE=...`); see bench/README.md.
"""
