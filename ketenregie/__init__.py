"""Ketenregie: an open platform for local chain approaches to youth delinquency."""

__version__ = "0.1.0"
