"""Rights requests in the admin: the queue filterable and searchable, with
approve, refuse and extend as actions that call the services (so every step
is checked, recorded and audited as on the pages). Nothing is edited in
place: requests, jobs and outputs are read-only here.

The actions need the request-handling capability like the pages do:
staff or superuser status alone grants nothing.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.rights.forms import ReasonForm
from apps.rights.lifecycle import OPEN
from apps.rights.models import (
    ErasureCertificate,
    Export,
    Job,
    ObjectionDecision,
    Request,
    RequestMessage,
    RequestTransition,
    Restriction,
)
from apps.rights.selectors import is_officer
from apps.rights.services.lifecycle import (
    RequestRefused,
    request_approve,
    request_extend,
    request_refuse,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class TransitionInline(ReadOnlyInline):
    model = RequestTransition
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields


class MessageInline(ReadOnlyInline):
    model = RequestMessage
    fields = ["created_at", "from_subject", "author", "body"]
    readonly_fields = fields


class JobInline(ReadOnlyInline):
    model = Job
    fields = [
        "dataset",
        "action",
        "status",
        "attempts",
        "records_found",
        "records_done",
        "records_remaining",
        "exemption",
        "last_error",
    ]
    readonly_fields = fields


class DeadlineFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("week", _("Due within 7 days"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.filter(status__in=OPEN, due_at__lt=now)
        if self.value() == "week":
            return queryset.filter(
                status__in=OPEN, due_at__lt=now + dt.timedelta(days=7)
            )
        return queryset


@admin.register(Request)
class RequestAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "kind",
        "subject",
        "status",
        "channel",
        "received_at",
        "due_at",
        "extended_days",
    ]
    list_filter = ["status", "kind", DeadlineFilter, "channel", "jurisdiction"]
    search_fields = [
        "=public_id",
        "subject__full_name",
        "subject__employee_number",
        "subject__work_email",
        "text",
    ]
    list_select_related = ["subject"]
    date_hierarchy = "received_at"
    ordering = ["due_at"]
    inlines = [JobInline, TransitionInline, MessageInline]
    actions = ["approve", "refuse", "extend"]

    def _step(self, request: HttpRequest, queryset: QuerySet, step, done: str):
        """Call `step(req)` on each selected request; say what happened."""
        if not is_officer(user=request.user):
            self.message_user(
                request,
                _("Only the privacy team (request handling) may do this."),
                messages.ERROR,
            )
            return
        count = 0
        for req in queryset.select_related("subject"):
            try:
                step(req)
            except RequestRefused as exc:
                self.message_user(request, f"{req}: {exc}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    def _with_reason(self, request: HttpRequest, queryset: QuerySet, action, step):
        """Ask for the reason on an intermediate page, then take the step."""
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            return self._step(
                request,
                queryset,
                lambda req: step(req, reason),
                action.done,
            )
        context = {
            **self.admin_site.each_context(request),
            "title": action.short_description,
            "queryset": queryset,
            "form": form,
            "action": action.__name__,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "rights/admin_reason.html", context)

    @admin.action(description=_("Approve the selected requests"))
    def approve(self, request: HttpRequest, queryset: QuerySet):
        self._step(
            request,
            queryset,
            lambda req: request_approve(request=req, officer=request.user),
            _("%(count)d request(s) approved."),
        )

    @admin.action(description=_("Refuse the selected requests, with reasons"))
    def refuse(self, request: HttpRequest, queryset: QuerySet):
        return self._with_reason(
            request,
            queryset,
            RequestAdmin.refuse,
            lambda req, reason: request_refuse(
                request=req, officer=request.user, reason=reason
            ),
        )

    refuse.done = _("%(count)d request(s) refused; the employees are told why.")

    @admin.action(description=_("Extend the deadline of the selected requests"))
    def extend(self, request: HttpRequest, queryset: QuerySet):
        return self._with_reason(
            request,
            queryset,
            RequestAdmin.extend,
            lambda req, reason: request_extend(
                request=req, officer=request.user, reason=reason
            ),
        )

    extend.done = _("%(count)d deadline(s) extended; the employees are told why.")


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "request",
        "dataset",
        "action",
        "status",
        "attempts",
        "records_found",
        "records_done",
        "run_after",
        "lease_expires_at",
    ]
    list_filter = ["status", "action", "exemption"]
    search_fields = ["=request__public_id", "dataset__key", "assignee_email"]
    list_select_related = ["request", "dataset"]
    exclude = ["output"]


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    list_display = ["request", "status", "size_bytes", "expires_at", "downloads"]
    list_filter = ["status"]
    search_fields = ["=request__public_id"]
    # Where the archive lies on disk is not for display.
    exclude = ["path"]


@admin.register(ErasureCertificate)
class ErasureCertificateAdmin(ReadOnlyAdmin):
    list_display = ["request", "key_id", "created_at"]
    search_fields = ["=request__public_id"]


@admin.register(Restriction)
class RestrictionAdmin(ReadOnlyAdmin):
    list_display = ["request", "dataset", "placed_at", "lift_after", "lifted_at"]
    list_filter = ["lifted_at"]


@admin.register(ObjectionDecision)
class ObjectionDecisionAdmin(ReadOnlyAdmin):
    list_display = ["request", "upheld", "decided_by", "decided_at"]
    list_filter = ["upheld"]
