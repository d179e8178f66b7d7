"""Governance selectors (reads). Those that serve pages take the acting user
and answer None or an empty list to anyone who may not see."""
