"""Synthetic and sample data: the demo workbook, generated books for tests and benchmarks,
and the messy variants people really type.
"""
