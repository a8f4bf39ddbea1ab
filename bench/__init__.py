"""The benchmark of PERFORMANCE.md ("How we measure"): not a test, not collected by pytest.

`python -m bench.run --scale small|full` (or `make bench SCALE=...`); see bench/README.md.
"""
