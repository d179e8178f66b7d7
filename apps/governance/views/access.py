"""Who may open a page: one decorator, read by the permission-matrix command."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse

from apps.governance.permissions import has_capability


def capability_required(perm: str) -> Callable:
    """404 (never 403: outsiders learn nothing) unless a role of the user
    holds `perm`. Checked on every request. The view keeps `perm` in
    `required_capability` for docs/permissions.md."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not has_capability(user=request.user, perm=perm):
                raise Http404
            return view(request, *args, **kwargs)

        wrapper.required_capability = perm
        return wrapper

    return decorator


def object_rule(text: str) -> Callable:
    """Record, for docs/permissions.md, who may open an object page."""

    def decorator(view: Callable) -> Callable:
        view.object_rule = text
        return view

    return decorator
