"""Governance pages: cases, the DPO's queue, exposure, holds, reviews, retention."""
