from django.urls import path

from apps.reports.views import bundles, dashboards, dpia, records

app_name = "reports"
urlpatterns = [
    path("reports/officer/", dashboards.officer, name="officer_dashboard"),
    path("reports/hr/", dashboards.hr, name="hr_dashboard"),
    path("reports/dpo/", dashboards.dpo, name="dpo_dashboard"),
    path("reports/records-of-processing/", records.ropa, name="ropa"),
    path(
        "reports/records-of-processing/export/",
        records.ropa_export,
        name="ropa_export",
    ),
    path("reports/requests/", records.request_records, name="request_records"),
    path(
        "reports/requests/export/",
        records.request_records_export,
        name="request_records_export",
    ),
    path(
        "reports/requests/metrics/export/",
        records.request_metrics_export,
        name="request_metrics_export",
    ),
    path("reports/dpia/", dpia.register, name="dpia_register"),
    path("reports/dpia/<slug:key>/", dpia.update, name="dpia_update"),
    path("reports/bundles/", bundles.bundle_list, name="bundle_list"),
    path("reports/bundles/new/", bundles.bundle_new, name="bundle_new"),
    path(
        "reports/bundles/<uuid:public_id>/",
        bundles.bundle_detail,
        name="bundle_detail",
    ),
    path(
        "reports/bundles/<uuid:public_id>/download/",
        bundles.bundle_download,
        name="bundle_download",
    ),
]
