"""Subtree metrics (see portal/metrics.py)."""
