"""Which calls of shared views need a staff step-up, and where to go back.

Kept here so that the views carry one decorator line each.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from apps.rights.models import RequestKind
from apps.rights.selectors import request_for_officer


def erasure_approval(request: HttpRequest, public_id=None, **kwargs) -> bool:
    """An officer's POST approving an erasure request they may handle. Anyone
    else falls through to the view, which answers 404 or 405 as before."""
    if request.method != "POST" or public_id is None:
        return False
    req = request_for_officer(user=request.user, public_id=public_id)
    return req is not None and req.kind == RequestKind.ERASURE


def case_approval(request: HttpRequest, decision: str = "", **kwargs) -> bool:
    return decision == "approve"


def officer_request_page(request: HttpRequest, public_id=None, **kwargs) -> str:
    return reverse("rights:officer_request", kwargs={"public_id": public_id})
