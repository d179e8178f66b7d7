from django.urls import path

from apps.governance.views import cases, holds, reports, reviews

app_name = "governance"
urlpatterns = [
    path("governance/cases/", cases.case_list, name="case_list"),
    path("governance/cases/new/", cases.case_new, name="case_new"),
    path("governance/cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("governance/cases/<int:pk>/close/", cases.case_close_view, name="case_close"),
    path("governance/approvals/", cases.case_queue, name="case_queue"),
    path(
        "governance/approvals/<int:pk>/approve/",
        cases.case_decide,
        {"decision": "approve"},
        name="case_approve",
    ),
    path(
        "governance/approvals/<int:pk>/reject/",
        cases.case_decide,
        {"decision": "reject"},
        name="case_reject",
    ),
    path("governance/exposure/", reports.exposure, name="exposure"),
    path("governance/exposure.csv", reports.exposure_csv, name="exposure_csv"),
    path("governance/holds/", holds.hold_list, name="hold_list"),
    path("governance/holds/new/", holds.hold_new, name="hold_new"),
    path("governance/holds/<int:pk>/release/", holds.hold_release, name="hold_release"),
    path("governance/reviews/", reports.review_list, name="review_list"),
    path(
        "governance/reviews/<int:pk>/export.csv",
        reports.review_csv,
        name="review_csv",
    ),
    path("governance/my-reviews/", reviews.my_review_items, name="my_review_items"),
    path(
        "governance/my-reviews/items/<int:pk>/",
        reviews.review_item_decision,
        name="review_item_decision",
    ),
    path("governance/retention/", reports.retention_runs, name="retention_runs"),
]
