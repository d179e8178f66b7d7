"""Processing blocks: the hook through which the rights engine will stop
processing (restriction, upheld objection) whatever the legal basis."""

from functools import partial

from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Program
from apps.consent.mirror import mirror_put_block
from apps.consent.models import ProcessingBlock
from apps.people.models import Employee


@transaction.atomic
def processing_block_place(
    *, employee: Employee, program: Program, kind: str, reason: str
) -> ProcessingBlock:
    """Stop collection for `employee` under `program` until lifted."""
    block = ProcessingBlock(
        employee=employee,
        program=program,
        kind=kind,
        reason=reason,
        created_at=timezone.now(),
    )
    block.full_clean()
    block.save()
    transaction.on_commit(
        partial(mirror_put_block, program_key=program.key, employee_id=employee.pk)
    )
    return block


@transaction.atomic
def processing_block_lift(*, block: ProcessingBlock) -> ProcessingBlock:
    """Lift `block`; the decision allows again if nothing else denies."""
    ProcessingBlock.objects.filter(pk=block.pk, lifted_at__isnull=True).update(
        lifted_at=timezone.now()
    )
    block.refresh_from_db()
    transaction.on_commit(
        partial(
            mirror_put_block,
            program_key=block.program.key,
            employee_id=block.employee_id,
        )
    )
    return block
