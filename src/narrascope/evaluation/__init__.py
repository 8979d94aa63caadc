"""Benchmarks for the text, metadata and date extraction stages."""
