"""Governance services (writes): roles, cases, legal holds, reviews, retention."""
