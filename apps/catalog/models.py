"""Monitoring programs (processing activities), their stores and datasets.

Loaded from a catalog file (catalog as code, see apps.catalog.loader) and
editable by officers in the admin. The catalog never talks to stores.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.people.models import IdentifierKind


class LegalBasis(models.TextChoices):
    """GDPR Art. 6(1)."""

    CONSENT = "consent", _("Consent (Art. 6(1)(a))")
    CONTRACT = "contract", _("Contract (Art. 6(1)(b))")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (Art. 6(1)(c))")
    VITAL_INTERESTS = "vital_interests", _("Vital interests (Art. 6(1)(d))")
    PUBLIC_TASK = "public_task", _("Public task (Art. 6(1)(e))")
    LEGITIMATE_INTERESTS = (
        "legitimate_interests",
        _("Legitimate interests (Art. 6(1)(f))"),
    )


class SpecialCategoryCondition(models.TextChoices):
    """GDPR Art. 9(2), where special-category data is processed."""

    NONE = "", _("None (no special-category data)")
    EXPLICIT_CONSENT = "explicit_consent", _("Explicit consent (Art. 9(2)(a))")
    EMPLOYMENT = "employment", _("Employment law (Art. 9(2)(b))")
    VITAL_INTERESTS = "vital_interests", _("Vital interests (Art. 9(2)(c))")
    LEGAL_CLAIMS = "legal_claims", _("Legal claims (Art. 9(2)(f))")
    SUBSTANTIAL_PUBLIC_INTEREST = (
        "substantial_public_interest",
        _("Substantial public interest (Art. 9(2)(g))"),
    )
    OCCUPATIONAL_MEDICINE = "occupational_medicine", _(
        "Occupational medicine (Art. 9(2)(h))"
    )


class DpiaStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Not required")
    REQUIRED = "required", _("Required")
    IN_PROGRESS = "in_progress", _("In progress")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Program(models.Model):
    """A monitoring program: one processing activity in the Art. 30 sense."""

    key = models.SlugField(_("key"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    purpose = models.TextField(_("purpose"))
    legal_basis = models.CharField(
        _("legal basis"), max_length=32, choices=LegalBasis.choices
    )
    special_category_condition = models.CharField(
        _("Art. 9 condition"),
        max_length=40,
        choices=SpecialCategoryCondition.choices,
        blank=True,
    )
    legitimate_interests_assessment = models.CharField(
        _("legitimate-interests assessment reference"), max_length=200, blank=True
    )
    # fideslang taxonomy keys (apps.catalog.taxonomy validates them).
    data_subjects = models.JSONField(_("data subjects"), default=list)
    data_categories = models.JSONField(_("data categories"), default=list)
    data_uses = models.JSONField(_("data uses"), default=list)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    # Roles that may read this program's data, and how (e.g. "security
    # investigator, through an approved case").
    access = models.JSONField(_("who may access"), default=list, blank=True)
    source = models.CharField(_("source of the data"), max_length=300, blank=True)
    retention_days = models.PositiveIntegerField(_("retention (days)"))
    leaver_retention_days = models.PositiveIntegerField(
        _("retention after leaving (days)"), null=True, blank=True
    )
    international_transfers = models.TextField(_("international transfers"), blank=True)
    transfer_safeguards = models.TextField(_("transfer safeguards"), blank=True)
    dpia_status = models.CharField(
        _("DPIA status"),
        max_length=20,
        choices=DpiaStatus.choices,
        default=DpiaStatus.REQUIRED,
    )
    dpia_reference = models.CharField(_("DPIA reference"), max_length=200, blank=True)
    security_measures = models.TextField(_("security measures"), blank=True)
    automated_decision_making = models.TextField(
        _("automated decision-making"), blank=True
    )
    objection_allowed = models.BooleanField(_("employees may object"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("monitoring program")
        verbose_name_plural = _("monitoring programs")
        constraints = [
            models.CheckConstraint(
                condition=~Q(legal_basis=""), name="program_has_legal_basis"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_consent_based(self) -> bool:
        return self.legal_basis == LegalBasis.CONSENT


class StoreKind(models.TextChoices):
    SQL = "sql", _("SQL database")
    FILES = "files", _("File store")
    REDIS = "redis", _("Redis")
    HTTP = "http", _("HTTP service")
    MANUAL = "manual", _("Manual (a person answers)")


class Store(models.Model):
    """A system that holds monitoring data. Connection settings name environment
    variables or Django settings; secrets never live in the catalog."""

    key = models.SlugField(_("key"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=StoreKind.choices)
    description = models.TextField(_("description"), blank=True)
    # e.g. {"database_alias": "telemetry"}, {"url_env": "HR_DB_URL"},
    # {"root_setting": "TELEMETRY_FILES_ROOT"}, {"root_env": "CAPTURES_DIR"}
    connection = models.JSONField(_("connection"), default=dict)
    owner = models.CharField(_("owner"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")

    def __str__(self) -> str:
        return self.name


class ErasureStrategy(models.TextChoices):
    DELETE = "delete", _("Delete the records")
    MASK = "mask", _("Mask the identifying fields")
    DELETE_FILES = "delete_files", _("Delete the files")


class Dataset(models.Model):
    """A table, collection or file set in a store, collected under one program."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="datasets")
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="datasets"
    )
    key = models.SlugField(_("key"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # SQL: the table name. Files: a path template under the store's root with
    # an "{identifier}" placeholder, e.g. "captures/{identifier}".
    location = models.CharField(_("location"), max_length=300)
    primary_key = models.CharField(_("primary key"), max_length=100, default="id")
    subject_field = models.CharField(
        _("subject field"),
        max_length=100,
        blank=True,
        help_text=_("The field holding the subject's identifier (SQL datasets)."),
    )
    identifier_kind = models.CharField(
        _("identifier kind"), max_length=32, choices=IdentifierKind.choices
    )
    timestamp_field = models.CharField(_("timestamp field"), max_length=100, blank=True)
    # Files: glob pattern of the files under each subject's folder.
    file_pattern = models.CharField(_("file pattern"), max_length=100, blank=True)
    erasure_strategy = models.CharField(
        _("erasure strategy"),
        max_length=20,
        choices=ErasureStrategy.choices,
        default=ErasureStrategy.DELETE,
    )
    # Keys of datasets this one copies from (derived data such as an AI
    # training corpus): a request must reach these copies too.
    derived_from = models.JSONField(_("derived from"), default=list, blank=True)

    class Meta:
        ordering = ["program__name", "name"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    def __str__(self) -> str:
        return self.name


class MaskStrategy(models.TextChoices):
    NULL = "null", _("Set to null")
    REDACT = "redact", _("Replace with a redaction marker")
    HASH = "hash", _("Replace with a keyed hash")


class Field(models.Model):
    """One field of a dataset and the kind of personal data it holds."""

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="fields"
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    data_category = models.CharField(_("data category"), max_length=200)
    # How the field is masked when the dataset's strategy is "mask"; blank
    # leaves it as it is (it identifies nobody).
    mask = models.CharField(
        _("masking"), max_length=10, choices=MaskStrategy.choices, blank=True
    )

    class Meta:
        ordering = ["dataset", "id"]
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "name"], name="field_unique_per_dataset"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset.key}.{self.name}"
