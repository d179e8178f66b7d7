"""Seed the demo monitoring system: idempotent, deterministic, streamed.

A seed runs in one transaction on the telemetry database: either the whole
data set and its finished SeedRun are there, or the previous state is. Capture
files cannot take part in the transaction, so they are written to a staging
folder that replaces the live captures folder just before the commit.
"""

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path

from django.db import connections, models, transaction
from django.utils import timezone
from tqdm import tqdm

from apps.telemetry.identities import Identity, identities
from apps.telemetry.models import SeedRun, TrainingCorpusEntry
from apps.telemetry.routers import TELEMETRY_ALIAS
from apps.telemetry.seeding.captures import (
    CaptureFiles,
    discard,
    new_staging_root,
    publish,
)
from apps.telemetry.seeding.loaders import flush, loader_for, reset_sequences
from apps.telemetry.seeding.params import SeedParams
from apps.telemetry.seeding.rows import (
    SUBJECT_TABLES,
    SeedContext,
    Subject,
    corpus_rows,
)

# Employees generated and loaded per round: large enough that each COPY or
# executemany carries tens of thousands of rows, small enough that the
# corpus sources held between tables stay a few megabytes.
CHUNK_EMPLOYEES = 250

DATA_MODELS: tuple[type[models.Model], ...] = (
    *(model for model, _ in SUBJECT_TABLES),
    TrainingCorpusEntry,
)


class SeedRefused(Exception):
    """The database holds other data; seeding would mix two data sets."""


@dataclass(frozen=True)
class SeedOutcome:
    run: SeedRun
    # True when an identical finished seed was found and nothing was written.
    skipped: bool


def telemetry_seed(
    *,
    params: SeedParams,
    files_root: Path,
    reset: bool = False,
    progress: bool = False,
    chunk_employees: int = CHUNK_EMPLOYEES,
) -> SeedOutcome:
    """Fill the telemetry tables and capture files for ``params``.

    Returns the existing run untouched when a finished run with identical
    params is there (unless ``reset``). Raises SeedRefused when the database
    holds any other data and ``reset`` is false; with ``reset`` every table
    is emptied and the captures folder replaced.
    """
    connection = connections[TELEMETRY_ALIAS]
    wanted = params.as_json()
    previous = SeedRun.objects.first()
    if not reset and previous and previous.finished_at and previous.params == wanted:
        return SeedOutcome(run=previous, skipped=True)
    if not reset:
        _refuse_if_not_empty(previous, wanted)

    staging = new_staging_root(files_root)
    try:
        with transaction.atomic(using=TELEMETRY_ALIAS):
            flush(connection, [*DATA_MODELS, SeedRun])
            run = SeedRun.objects.create(params=wanted, started_at=timezone.now())
            with CaptureFiles(staging) as files:
                counts = _load_all(params, files, connection, progress, chunk_employees)
            reset_sequences(connection, list(DATA_MODELS))
            run.row_counts = counts
            run.finished_at = timezone.now()
            run.save(update_fields=["row_counts", "finished_at"])
            # Last step before the commit: only a failing COMMIT itself could
            # now leave new files beside old rows.
            publish(staging, files_root)
    finally:
        # After the commit (or the rollback): the replaced files, or the
        # failed run's, can take a while to delete and need no lock held.
        discard(staging)
    return SeedOutcome(run=run, skipped=False)


def _refuse_if_not_empty(previous: SeedRun | None, wanted: dict) -> None:
    if previous is not None:
        state = "a finished" if previous.finished_at else "an unfinished"
        raise SeedRefused(
            f"The telemetry database holds {state} seed with params "
            f"{previous.params}, not {wanted}. Pass --reset to erase it and reseed."
        )
    filled = [m._meta.db_table for m in DATA_MODELS if m.objects.exists()]
    if filled:
        raise SeedRefused(
            f"The telemetry tables {', '.join(filled)} hold rows that no seed run "
            "wrote. Pass --reset to erase them and reseed."
        )


def _load_all(
    params: SeedParams,
    files: CaptureFiles,
    connection,
    progress: bool,
    chunk_employees: int,
) -> dict[str, int]:
    loader = loader_for(connection)
    ctx = SeedContext(
        seed=params.seed, captures_per_day=params.captures_per_day, files=files
    )
    counts = {model._meta.db_table: 0 for model in DATA_MODELS}
    people = identities(
        seed=params.seed,
        count=params.employees,
        window_start=params.window_start,
        window_end=params.until,
    )
    day_starts = params.day_starts()
    bar = tqdm(
        total=params.employees,
        unit="employee",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
    )
    with bar:
        for chunk in _chunks(people, chunk_employees):
            subjects = [_subject(person, day_starts) for person in chunk]
            for model, generate in SUBJECT_TABLES:
                table = model._meta.db_table
                bar.set_postfix_str(table, refresh=False)
                rows = chain.from_iterable(generate(s, ctx) for s in subjects)
                counts[table] += loader.load(model, rows)
            table = TrainingCorpusEntry._meta.db_table
            bar.set_postfix_str(table, refresh=False)
            counts[table] += loader.load(
                TrainingCorpusEntry, corpus_rows(ctx.corpus_sources, ctx)
            )
            ctx.corpus_sources.clear()
            bar.update(len(chunk))
    return counts


def _subject(person: Identity, day_starts: list) -> Subject:
    return Subject(
        identity=person,
        days=tuple(d for d in day_starts if person.is_active_on(d.date())),
    )


def _chunks(people: Iterable[Identity], size: int) -> Iterator[list[Identity]]:
    iterator = iter(people)
    while chunk := list(islice(iterator, size)):
        yield chunk
