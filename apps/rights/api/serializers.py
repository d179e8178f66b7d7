"""What the rights API reads and writes. Shape only: the services decide."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.rights.models import Request, RequestKind, RequestMessage
from apps.rights.selectors import request_percent, request_progress
from apps.rights.views.display import clock_of
from apps.rights.views.downloads import export_link

_SURROGATE = re.compile("[\ud800-\udfff]")


class RequestFileSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    all_programs = serializers.BooleanField(default=True)
    programs = serializers.ListField(
        child=serializers.SlugField(), default=list, help_text=_("Program keys.")
    )
    datasets = serializers.ListField(
        child=serializers.SlugField(), default=list, help_text=_("Dataset keys.")
    )
    text = serializers.CharField(
        default="", allow_blank=True, max_length=5000, trim_whitespace=True
    )
    details = serializers.DictField(
        default=dict,
        help_text=_(
            'Rectification only: {"dataset": key, "record": key, '
            '"changes": {field: value}}.'
        ),
    )

    def validate_details(self, value: dict) -> dict:
        # The text fields refuse these already; the details are stored as
        # JSON, and PostgreSQL refuses either in it (a 500 before this
        # check; found by tests/fuzz/test_api_details.py).
        if any("\x00" in s or _SURROGATE.search(s) for s in _strings(value)):
            raise serializers.ValidationError(
                _("Null characters and lone surrogates are not allowed.")
            )
        return value


def _strings(value) -> list[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [str(k), *_strings(v)]]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


class JobProgressSerializer(serializers.Serializer):
    dataset = serializers.CharField(source="dataset_key")
    dataset_name = serializers.CharField()
    action = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    records_found = serializers.IntegerField(allow_null=True)
    records_done = serializers.IntegerField()
    records_remaining = serializers.IntegerField(allow_null=True)
    percent = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(help_text=_("Why data was kept, or who is on it."))


class OfficerJobSerializer(JobProgressSerializer):
    attempts = serializers.IntegerField()
    error = serializers.CharField()
    abandoned = serializers.BooleanField()


class RequestSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    status_label = serializers.CharField(source="get_status_display")
    days_left = serializers.SerializerMethodField()
    clock_paused = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    job_serializer = JobProgressSerializer

    class Meta:
        model = Request
        fields = [
            "id",
            "kind",
            "status",
            "status_label",
            "channel",
            "all_programs",
            "text",
            "received_at",
            "due_at",
            "days_left",
            "clock_paused",
            "extended_days",
            "extension_reason",
            "responded_at",
            "refusal_reason",
            "response_summary",
            "percent",
            "progress",
            "download",
        ]
        read_only_fields = fields

    def get_days_left(self, obj: Request) -> int:
        return clock_of(obj).days_left

    def get_clock_paused(self, obj: Request) -> bool:
        return obj.paused_at is not None

    def get_percent(self, obj: Request) -> int:
        return request_percent(request=obj)

    def get_progress(self, obj: Request) -> list[dict]:
        rows = request_progress(request=obj)
        return self.job_serializer(rows, many=True).data

    def get_download(self, obj: Request) -> str | None:
        """Where the subject gets the link to the archive, once it is ready."""
        if export_link(obj) is None:
            return None
        return reverse("api:rights_download", args=[obj.public_id])


class OfficerRequestSerializer(RequestSerializer):
    subject = serializers.SerializerMethodField()
    job_serializer = OfficerJobSerializer

    class Meta(RequestSerializer.Meta):
        fields = [*RequestSerializer.Meta.fields, "subject", "jurisdiction", "details"]
        read_only_fields = fields

    def get_subject(self, obj: Request) -> dict:
        return {
            "employee_number": obj.subject.employee_number,
            "full_name": obj.subject.full_name,
        }

    def get_download(self, obj: Request) -> str | None:
        # The archive is the employee's alone.
        return None


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequestMessage
        fields = ["from_subject", "body", "created_at"]
        read_only_fields = ["from_subject", "created_at"]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(default="", allow_blank=True, max_length=5000)


class QuestionSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=5000)


class DownloadLinkSerializer(serializers.Serializer):
    url = serializers.CharField()
    expires_at = serializers.DateTimeField()
