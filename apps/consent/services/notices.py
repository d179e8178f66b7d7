"""Publishing notices: a new version per change, never an edit."""

from functools import partial

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.catalog.models import Program
from apps.catalog.taxonomy import TaxonomyKind, display_name
from apps.consent.mirror import mirror_put_program
from apps.consent.models import Notice


@transaction.atomic
def notice_publish(
    *,
    program: Program,
    title: str,
    text: str,
    collected: str,
    why: str,
    retention: str,
    recipients: str,
    material_change: bool = False,
) -> Notice:
    """Publish the next version of `program`'s notice.

    The first version always counts as material (nobody has consented yet).
    A material version makes earlier consent stop covering the program until
    each employee grants again; the mirror learns it after commit.
    """
    # Lock the program so two officers publishing at once get 2 and 3.
    Program.objects.select_for_update().filter(pk=program.pk).first()
    latest = Notice.objects.filter(program=program).aggregate(v=Max("version"))["v"]
    version = (latest or 0) + 1
    notice = Notice(
        program=program,
        version=version,
        title=title,
        text=text,
        collected=collected,
        why=why,
        retention=retention,
        recipients=recipients,
        material_change=material_change or version == 1,
        published_at=timezone.now(),
    )
    notice.full_clean()
    notice.save()
    transaction.on_commit(partial(mirror_put_program, program_key=program.key))
    return notice


def notice_publish_from_catalog(
    *, program: Program, material_change: bool = False
) -> Notice:
    """Publish a notice whose text is the program's catalog entry."""
    retention = f"{program.retention_days} days"
    if program.leaver_retention_days is not None:
        retention += f"; {program.leaver_retention_days} days after leaving"
    return notice_publish(
        program=program,
        title=program.name,
        text=program.description or program.purpose,
        collected=", ".join(
            display_name(k, TaxonomyKind.DATA_CATEGORY) for k in program.data_categories
        )
        or "-",
        why=program.purpose,
        retention=retention,
        recipients="; ".join([*program.recipients, *program.access]) or "-",
        material_change=material_change,
    )
