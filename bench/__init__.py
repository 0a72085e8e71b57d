"""The benchmarks: ``python -m bench`` (the suite), ``bench/bench_pipeline.py`` (in process)."""
