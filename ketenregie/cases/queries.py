"""Reusable queries on cases: list filters, counts per status, timeline."""
