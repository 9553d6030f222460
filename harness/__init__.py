"""Helpers the tests and the benchmarks share: real servers on 127.0.0.1 and a load generator.

Neither tests/ nor benchmarks/ owns them, so neither imports the other.
"""
