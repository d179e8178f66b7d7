"""Consent in the admin: the log is read-only; tokens and notices go through
the services (a token's secret is shown once, a notice is never edited)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from apps.consent.models import (
    CollectorToken,
    ConsentErasureWish,
    ConsentEvent,
    ConsentState,
    Notice,
    ProcessingBlock,
)
from apps.consent.services import (
    collector_token_create,
    collector_token_revoke,
    collector_token_scope_set,
    notice_publish,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "employee", "program", "kind", "channel"]
    list_filter = ["kind", "channel", "program"]
    list_select_related = ["employee", "program"]


@admin.register(ConsentState)
class ConsentStateAdmin(ReadOnlyAdmin):
    list_display = ["employee", "program", "state", "notice_version", "updated_at"]
    list_filter = ["state", "program"]
    list_select_related = ["employee", "program"]


@admin.register(ConsentErasureWish)
class ConsentErasureWishAdmin(ReadOnlyAdmin):
    list_display = ["employee", "program", "created_at", "filed_at"]


@admin.register(ProcessingBlock)
class ProcessingBlockAdmin(ReadOnlyAdmin):
    list_display = ["employee", "program", "kind", "created_at", "lifted_at"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["program", "version", "title", "material_change", "published_at"]
    list_filter = ["program"]
    fields = [
        "program", "title", "text", "collected", "why", "retention", "recipients",
        "material_change",
    ]  # fmt: skip

    def has_change_permission(self, request, obj=None) -> bool:
        # Published text is what receipts point at: publish a new version.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        published = notice_publish(
            **{name: form.cleaned_data[name] for name in self.fields}
        )
        obj.pk, obj.version = published.pk, published.version


@admin.register(CollectorToken)
class CollectorTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "created_at", "created_by", "revoked_at"]
    fields = ["name", "programs"]
    filter_horizontal = ["programs"]
    actions = ["revoke"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj.save(update_fields=["name"])
            return
        token, secret = collector_token_create(
            name=form.cleaned_data["name"],
            programs=form.cleaned_data["programs"],
            created_by=request.user,
        )
        obj.pk = token.pk
        messages.warning(
            request,
            _("Copy the token now, it is not shown again: %(secret)s")
            % {"secret": secret},
        )

    def save_related(self, request, form, formsets, change) -> None:
        if change:
            collector_token_scope_set(
                token=form.instance, programs=form.cleaned_data["programs"]
            )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            collector_token_revoke(token=token)
        messages.success(request, _("Revoked."))
