"""The rights API: the pages' actions for scripts and other front ends.

Same rules as the pages: deny by default, 404 for anyone else's request,
officer endpoints 404 for non-officers; a step a service refuses is a 400
that says why, never a 500. The employee's endpoints act only on the
caller's own requests.
"""

from __future__ import annotations

from uuid import UUID

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response

from apps.accounts.stepup import staff_stepped_up
from apps.catalog.models import Dataset, Program
from apps.people.selectors import employee_for_user
from apps.rights.api.serializers import (
    DownloadLinkSerializer,
    MessageSerializer,
    OfficerRequestSerializer,
    OptionalReasonSerializer,
    QuestionSerializer,
    ReasonSerializer,
    RequestFileSerializer,
    RequestSerializer,
)
from apps.rights.forms import QueueFilterForm
from apps.rights.models import Request, RequestChannel, RequestKind
from apps.rights.selectors import (
    HANDLE_REQUESTS,
    is_officer,
    officer_queue,
    request_for_officer,
    request_for_subject,
    requests_for_subject,
)
from apps.rights.services import lifecycle
from apps.rights.services.lifecycle import RequestRefused
from apps.rights.views.downloads import (
    LinkExpired,
    LinkInvalid,
    export_for_token,
    export_link,
    stream_export,
)
from apps.rights.views.reauth import signed_in_recently


class Gone(ValidationError):
    status_code = status.HTTP_410_GONE
    default_detail = "The link or the archive has expired."


def _refused(exc: RequestRefused) -> ValidationError:
    return ValidationError({"non_field_errors": [str(exc)]})


def _own(request: ApiRequest, public_id: UUID) -> Request:
    found = request_for_subject(user=request.user, public_id=public_id)
    if found is None:
        raise NotFound
    return found


def _officers(request: ApiRequest, public_id: UUID) -> Request:
    found = request_for_officer(user=request.user, public_id=public_id)
    if found is None:
        raise NotFound
    return found


def _by_keys(model, keys: list[str], field: str) -> list:
    found = list(model.objects.filter(key__in=keys))
    missing = sorted(set(keys) - {obj.key for obj in found})
    if missing:
        raise ValidationError({field: [f"Unknown: {', '.join(missing)}"]})
    return found


@extend_schema(
    methods=["GET"],
    summary="My requests",
    responses=RequestSerializer(many=True),
)
@extend_schema(
    methods=["POST"],
    summary="File a request",
    request=RequestFileSerializer,
    responses={201: RequestSerializer},
)
@api_view(["GET", "POST"])
def requests(request: ApiRequest) -> Response:
    if request.method == "GET":
        mine = requests_for_subject(user=request.user)
        return Response(RequestSerializer(mine, many=True).data)
    employee = employee_for_user(user=request.user)
    if employee is None:
        raise NotFound("Your account has no employee record.")
    data = RequestFileSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    given = data.validated_data
    try:
        filed = lifecycle.request_file(
            subject=employee,
            kind=given["kind"],
            filed_by=request.user,
            channel=RequestChannel.API,
            all_programs=given["all_programs"],
            programs=_by_keys(Program, given["programs"], "programs"),
            datasets=_by_keys(Dataset, given["datasets"], "datasets"),
            text=given["text"],
            details=given["details"],
        )
    except RequestRefused as exc:
        raise _refused(exc) from None
    return Response(RequestSerializer(filed).data, status=status.HTTP_201_CREATED)


@extend_schema(
    summary="A request of mine, with per-dataset progress",
    responses=RequestSerializer,
)
@api_view(["GET"])
def request_detail(request: ApiRequest, public_id: UUID) -> Response:
    return Response(RequestSerializer(_own(request, public_id)).data)


@extend_schema(
    summary="Withdraw a request of mine (before work starts)",
    request=OptionalReasonSerializer,
    responses=RequestSerializer,
)
@api_view(["POST"])
def withdraw(request: ApiRequest, public_id: UUID) -> Response:
    req = _own(request, public_id)
    data = OptionalReasonSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        req = lifecycle.request_withdraw(
            request=req, user=request.user, reason=data.validated_data["reason"]
        )
    except RequestRefused as exc:
        raise _refused(exc) from None
    return Response(RequestSerializer(req).data)


@extend_schema(
    methods=["GET"],
    summary="Messages with the privacy team",
    responses=MessageSerializer(many=True),
)
@extend_schema(
    methods=["POST"],
    summary="Write to the privacy team (answers a question: the clock restarts)",
    request=MessageSerializer,
    responses={201: MessageSerializer(many=True)},
)
@api_view(["GET", "POST"])
def messages(request: ApiRequest, public_id: UUID) -> Response:
    req = _own(request, public_id)
    if request.method == "POST":
        data = MessageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            req = lifecycle.message_post(
                request=req, author=request.user, body=data.validated_data["body"]
            )
        except RequestRefused as exc:
            raise _refused(exc) from None
        thread = MessageSerializer(req.messages.all(), many=True).data
        return Response(thread, status=status.HTTP_201_CREATED)
    return Response(MessageSerializer(req.messages.all(), many=True).data)


def _needs_fresh_session(request: ApiRequest) -> bool:
    """A browser session downloads only after a recent sign-in, as on the
    pages; a token is a credential of its own."""
    return isinstance(
        request.successful_authenticator, SessionAuthentication
    ) and not signed_in_recently(request._request)


@extend_schema(
    summary="The link to my archive (expires; only I can use it)",
    responses={200: DownloadLinkSerializer, 410: OpenApiResponse(description="Gone")},
)
@api_view(["GET"])
def download(request: ApiRequest, public_id: UUID) -> Response:
    req = _own(request, public_id)
    link = export_link(req)
    if link is None:
        raise Gone("There is no archive to download (not ready, or expired).")
    url = reverse("api:rights_download_file", args=[link["token"]])
    return Response(
        {
            "url": request.build_absolute_uri(url),
            "expires_at": link["export"].expires_at,
        }
    )


@extend_schema(
    summary="Download my archive (a ZIP)",
    responses={
        (200, "application/zip"): OpenApiResponse(description="The archive"),
        404: OpenApiResponse(description="Not yours, or altered"),
        410: OpenApiResponse(description="Expired"),
    },
)
@api_view(["GET"])
def download_file(request: ApiRequest, token: str) -> HttpResponse:
    if _needs_fresh_session(request):
        raise PermissionDenied("Sign in again to download.")
    try:
        export = export_for_token(user=request.user, token=token)
    except LinkInvalid:
        raise NotFound from None
    except LinkExpired:
        raise Gone from None
    return stream_export(export=export, user=request.user)


# The privacy team.


def _officer_only(request: ApiRequest) -> None:
    if not is_officer(user=request.user):
        raise NotFound


@extend_schema(
    summary="The queue (officers): overdue first, then by deadline",
    parameters=[
        OpenApiParameter("status", str, description="a status, 'open' or ''"),
        OpenApiParameter("kind", str),
        OpenApiParameter("deadline", str, enum=["", "overdue", "week"]),
    ],
    responses=OfficerRequestSerializer(many=True),
)
@api_view(["GET"])
def queue(request: ApiRequest) -> Response:
    _officer_only(request)
    form = QueueFilterForm(request.query_params or None)
    if form.is_bound and not form.is_valid():
        raise ValidationError(form.errors)
    rows = officer_queue(user=request.user, **form.filters())
    return Response(OfficerRequestSerializer(rows, many=True).data)


queue.required_capability = HANDLE_REQUESTS  # docs/permissions.md


def _erasure_approval_guard(request: ApiRequest, req: Request) -> None:
    """Approving an erasure destroys data: only a person in a browser session
    who has just confirmed it is them (step-up, with their second factor) may.
    An API token passed no second factor, so it cannot; a session header
    beside a bogus Authorization header is judged as the session it is."""
    if req.kind != RequestKind.ERASURE:
        return
    if not isinstance(request.successful_authenticator, SessionAuthentication):
        raise PermissionDenied(
            "Erasures are approved in the portal, signed in with your second "
            "factor: an API token cannot approve one."
        )
    if not staff_stepped_up(request):
        raise PermissionDenied(
            {
                "detail": "Confirm it is you first (step-up), then retry.",
                "step_up_url": request.build_absolute_uri(reverse("step_up")),
            }
        )


def _decision(serializer_class, step, summary: str, guard=None):
    """One officer decision on a request: validate, check the `guard` if
    any, call the service, answer with the request as it is now."""

    @extend_schema(
        summary=summary, request=serializer_class, responses=OfficerRequestSerializer
    )
    @api_view(["POST"])
    def view(request: ApiRequest, public_id: UUID) -> Response:
        req = _officers(request, public_id)
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        if guard is not None:
            guard(request, req)
        try:
            req = step(request.user, req, data.validated_data)
        except RequestRefused as exc:
            raise _refused(exc) from None
        req.refresh_from_db()
        return Response(OfficerRequestSerializer(req).data)

    view.required_capability = HANDLE_REQUESTS  # docs/permissions.md
    return view


approve = _decision(
    OptionalReasonSerializer,
    lambda user, req, d: lifecycle.request_approve(
        request=req, officer=user, reason=d["reason"]
    ),
    "Approve a request awaiting approval (an erasure: in a stepped-up session)",
    guard=_erasure_approval_guard,
)
refuse = _decision(
    ReasonSerializer,
    lambda user, req, d: lifecycle.request_refuse(
        request=req, officer=user, reason=d["reason"]
    ),
    "Refuse, with reasons (the employee is told of the right to complain)",
)
extend = _decision(
    ReasonSerializer,
    lambda user, req, d: lifecycle.request_extend(
        request=req, officer=user, reason=d["reason"]
    ),
    "Extend the deadline once, with reasons told to the employee",
)
ask = _decision(
    QuestionSerializer,
    lambda user, req, d: lifecycle.request_ask_subject(
        request=req, officer=user, question=d["question"]
    ),
    "Ask the employee for information (the clock stops)",
)
confirm_identity = _decision(
    ReasonSerializer,
    lambda user, req, d: lifecycle.request_confirm_identity(
        request=req, officer=user, reason=d["reason"]
    ),
    "Confirm the employee's identity (say how)",
)
