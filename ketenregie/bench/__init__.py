"""Synthetic data at scale and the benchmark that measures Ketenregie on it (``make bench``).

Nothing here is used by the running application: ``synthetic`` and ``bulk`` fill a database for
``ketenregie seed_synthetic``; ``settings``, ``urls`` and ``views`` add the two reference pages the
benchmark compares against, and exist only in the benchmark's own server; ``run`` is the benchmark.
"""
