"""``python -m bench``: the benchmark suite (see bench/suite.py and the README's Benchmarks)."""

import sys

from bench.suite import main

if __name__ == "__main__":
    sys.exit(main())
