"""Row generators: one per table, each yielding one employee's rows lazily.

Each generator draws from its own random stream, seeded by (table, seed,
employee index), so a table's rows do not depend on chunk sizes or on the
other tables. Ids are drawn from one counter per table in a fixed order, so
they are deterministic too and can name files and corpus sources before the
rows reach the database. Rows are tuples in the model's concrete field order.
"""

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count

from django.db import models

from apps.telemetry import models as telemetry
from apps.telemetry.identities import Identity
from apps.telemetry.seeding import vocabulary as v
from apps.telemetry.seeding.captures import CAPTURE_SIZE, CAPTURES_DIR, CaptureFiles

# Activity falls between 08:00 and 18:00 UTC.
WORKDAY_START = timedelta(hours=8)
WORKDAY_SECONDS = 10 * 3600

# Share of source rows an AI-training pipeline copies into its corpus; with
# the daily volumes below this gives about two corpus rows per employee-day.
CORPUS_SHARE = {"keystrokes": 0.1, "chat_messages": 0.2, "ai_prompts": 0.15}
SNIPPET_CHARS = 120

CorpusSource = tuple[str, datetime, str, int, str]


@dataclass
class SeedContext:
    """State shared by the generators of one run."""

    seed: int
    captures_per_day: int
    files: CaptureFiles
    ids: dict[type[models.Model], Iterator[int]] = field(default_factory=dict)
    # Rows the training pipeline copied, collected while their sources are
    # generated and written after them; cleared after every chunk.
    corpus_sources: list[CorpusSource] = field(default_factory=list)

    def next_id(self, model: type[models.Model]) -> int:
        return next(self.ids.setdefault(model, count(1)))


@dataclass(frozen=True, slots=True)
class Subject:
    """An employee and the days (UTC midnights) on which they were monitored."""

    identity: Identity
    days: tuple[datetime, ...]


def _rng(table: str, ctx: SeedContext, subject: Subject) -> random.Random:
    return random.Random(f"{table}:{ctx.seed}:{subject.identity.index}")


def _moments(rng: random.Random, day: datetime, n: int) -> list[datetime]:
    """``n`` sorted instants within the working hours of ``day``."""
    base = day + WORKDAY_START
    offsets = sorted(rng.randrange(WORKDAY_SECONDS) for _ in range(n))
    return [base + timedelta(seconds=offset) for offset in offsets]


def _words(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choices(v.WORDS, k=rng.randint(low, high)))


def _typed_text(rng: random.Random) -> str:
    if rng.random() < 0.05:
        return rng.choice(v.PERSONAL_FRAGMENTS)
    return _words(rng, 4, 14)


def _maybe_copy_to_corpus(
    rng: random.Random,
    ctx: SeedContext,
    subject: Subject,
    *,
    dataset: str,
    at: datetime,
    row_id: int,
    text: str,
) -> None:
    if rng.random() < CORPUS_SHARE[dataset]:
        ctx.corpus_sources.append(
            (subject.identity.work_email, at, dataset, row_id, text)
        )


def keystroke_rows(subject: Subject, ctx: SeedContext) -> Iterator[tuple]:
    rng = _rng("keystroke", ctx, subject)
    devices = subject.identity.device_serials
    for day in subject.days:
        for at in _moments(rng, day, rng.randint(8, 14)):
            row_id = ctx.next_id(telemetry.KeystrokeEvent)
            app = rng.choice(v.APPS)
            text = _typed_text(rng)
            _maybe_copy_to_corpus(
                rng, ctx, subject, dataset="keystrokes", at=at, row_id=row_id, text=text
            )
            yield (
                row_id,
                rng.choice(devices),
                at,
                app,
                rng.choice(v.WINDOW_TITLES[app]),
                text,
            )


def pointer_rows(subject: Subject, ctx: SeedContext) -> Iterator[tuple]:
    rng = _rng("pointer", ctx, subject)
    devices = subject.identity.device_serials
    for day in subject.days:
        for at in _moments(rng, day, rng.randint(5, 11)):
            yield (
                ctx.next_id(telemetry.PointerEvent),
                rng.choice(devices),
                at,
                rng.choice(v.APPS),
                rng.randrange(1920),
                rng.randrange(1080),
                rng.randrange(40),
                rng.randrange(200, 60_000),
            )


def screen_capture_rows(subject: Subject, ctx: SeedContext) -> Iterator[tuple]:
    """Capture metadata; writes each PNG as its row is generated."""
    rng = _rng("screen_capture", ctx, subject)
    devices = subject.identity.device_serials
    width, height = CAPTURE_SIZE
    for day in subject.days:
        for at in _moments(rng, day, ctx.captures_per_day):
            row_id = ctx.next_id(telemetry.ScreenCapture)
            device = rng.choice(devices)
            app = rng.choice(v.APPS)
            path = f"{CAPTURES_DIR}/{device}/{at:%Y-%m-%d}/{row_id}.png"
            ctx.files.write(path, app=app, at=at)
            ocr = f"{rng.choice(v.WINDOW_TITLES[app])} {_words(rng, 6, 20)}"
            yield (row_id, device, at, app, path, ocr, width, height)


def app_session_rows(subject: Subject, ctx: SeedContext) -> Iterator[tuple]:
    rng = _rng("app_session", ctx, subject)
    username = subject.identity.os_username
    for day in subject.days:
        started = day + WORKDAY_START + timedelta(seconds=rng.randrange(3600))
        for _ in range(rng.randint(3, 5)):
            length = rng.randrange(15 * 60, 150 * 60)
            ended = started + timedelta(seconds=length)
            yield (
                ctx.next_id(telemetry.AppSession),
                username,
                started,
                ended,
                rng.choice(v.APPS),
                int(length * rng.uniform(0.4, 0.95)),
            )
            started = ended + timedelta(seconds=rng.randrange(30, 900))


def ai_prompt_rows(subject: Subject, ctx: SeedContext) -> Iterator[tuple]:
    rng = _rng("ai_prompt", ctx, subject)
    username = subject.identity.ai_username
    for day in subject.days:
        for at in _moments(rng, day, rng.randint(0, 4)):
            row_id = ctx.next_id(telemetry.AiPrompt)
            topic = rng.choice(v.TOPICS)
            prompt = rng.choice(v.PROMPT_TEMPLATES).format(topic=topic)
            response = rng.choice(v.RESPONSE_TEMPLATES).format(
                topic=topic,
                words=_words(rng, 6, 18),
                slug=topic.replace(" ", "_"),
            )
            _maybe_copy_to_corpus(
                rng,
                ctx,
                subject,
                dataset="ai_prompts",
                at=at,
                row_id=row_id,
                text=prompt,
            )
            yield (row_id, username, at, rng.choice(v.AI_TOOLS), prompt, response)


def chat_rows(subject: Subject, ctx: SeedContext) -> Iterator[tuple]:
    rng = _rng("chat", ctx, subject)
    handle = subject.identity.chat_handle
    for day in subject.days:
        for at in _moments(rng, day, rng.randint(1, 5)):
            row_id = ctx.next_id(telemetry.ChatMessage)
            text = _typed_text(rng)
            _maybe_copy_to_corpus(
                rng,
                ctx,
                subject,
                dataset="chat_messages",
                at=at,
                row_id=row_id,
                text=text,
            )
            yield (row_id, handle, at, rng.choice(v.CHANNELS), text)


def meeting_rows(subject: Subject, ctx: SeedContext) -> Iterator[tuple]:
    rng = _rng("meeting", ctx, subject)
    email = subject.identity.work_email
    for day in subject.days:
        title = rng.choice(v.MEETING_TITLES)
        for at in _moments(rng, day, rng.randint(0, 4)):
            yield (
                ctx.next_id(telemetry.MeetingTranscriptLine),
                email,
                at,
                title,
                _words(rng, 5, 20),
            )


def performance_note_rows(subject: Subject, ctx: SeedContext) -> Iterator[tuple]:
    """About one note a fortnight, written by the employee's manager."""
    author = subject.identity.manager_employee_number
    if not author:
        return
    rng = _rng("performance_note", ctx, subject)
    for day in subject.days:
        if rng.random() < 1 / 14:
            (at,) = _moments(rng, day, 1)
            yield (
                ctx.next_id(telemetry.PerformanceNote),
                subject.identity.employee_number,
                at,
                author,
                rng.choice(v.PERFORMANCE_NOTES),
                rng.randint(1, 5),
            )


def corpus_rows(sources: list[CorpusSource], ctx: SeedContext) -> Iterator[tuple]:
    """The training corpus rows for the sources collected in this chunk."""
    for email, at, dataset, source_id, text in sources:
        # The pipeline's own stream: seeded by the source, not by position.
        rng = random.Random(f"corpus:{ctx.seed}:{dataset}:{source_id}")
        yield (
            ctx.next_id(telemetry.TrainingCorpusEntry),
            email,
            at + timedelta(seconds=rng.randrange(3600, 3 * 86400)),
            dataset,
            source_id,
            text[:SNIPPET_CHARS],
        )


# Per-employee tables in the order they are written; the training corpus comes
# last because it copies from keystrokes, chat messages and AI prompts.
SUBJECT_TABLES: tuple[
    tuple[type[models.Model], Callable[[Subject, SeedContext], Iterator[tuple]]], ...
] = (
    (telemetry.KeystrokeEvent, keystroke_rows),
    (telemetry.PointerEvent, pointer_rows),
    (telemetry.ScreenCapture, screen_capture_rows),
    (telemetry.AppSession, app_session_rows),
    (telemetry.AiPrompt, ai_prompt_rows),
    (telemetry.ChatMessage, chat_rows),
    (telemetry.MeetingTranscriptLine, meeting_rows),
    (telemetry.PerformanceNote, performance_note_rows),
)
