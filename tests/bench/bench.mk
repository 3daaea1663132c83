# tests/bench/ - benchmarks print ratios and rates; they never fail on speed.
