"""Access reviews: the items an owner must recertify, and the decision."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.governance.forms import ReviewDecisionForm
from apps.governance.selectors.reviews import (
    review_item_for_owner,
    review_items_for_owner,
)
from apps.governance.services.reviews import review_item_decide
from apps.governance.views.access import object_rule


@require_GET
@login_required
@object_rule("anyone signed in: lists only the items they own")
def my_review_items(request: HttpRequest) -> HttpResponse:
    context = {
        "items": review_items_for_owner(user=request.user),
        "form": ReviewDecisionForm(),
    }
    return render(request, "governance/review_items.html", context)


@require_POST
@login_required
@object_rule("the item's owner (a DPO for items without one)")
def review_item_decision(request: HttpRequest, pk: int) -> HttpResponse:
    item = review_item_for_owner(user=request.user, pk=pk)
    if item is None:
        raise Http404
    form = ReviewDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to keep or revoke the grant."))
        return redirect("governance:my_review_items")
    try:
        review_item_decide(
            item=item,
            decided_by=request.user,
            recertify=form.cleaned_data["decision"] == "recertify",
            note=form.cleaned_data["note"],
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("governance:my_review_items")
