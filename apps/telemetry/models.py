"""Tables of the demo monitoring system (the "telemetry" database alias).

Each table keys its rows on the identifier a real monitoring product would
use (a device serial, an OS username, a chat handle...), never on a portal id:
the portal has to find people here the way it would in a company's own stores.
Every table has an index on (subject column, timestamp column) because the
portal counts one subject's rows and asks for their first and last timestamps.
"""

from django.db import models


class KeystrokeEvent(models.Model):
    """A burst of typing captured by the endpoint agent."""

    device_serial = models.CharField(max_length=64)
    captured_at = models.DateTimeField()
    app = models.CharField(max_length=100)
    window_title = models.CharField(max_length=300)
    typed_text = models.TextField()

    class Meta:
        db_table = "telemetry_keystroke"
        indexes = [
            models.Index(
                fields=["device_serial", "captured_at"],
                name="telemetry_keystroke_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device_serial} {self.captured_at:%Y-%m-%d %H:%M} {self.app}"


class PointerEvent(models.Model):
    """Pointer activity summarised over a short interval."""

    device_serial = models.CharField(max_length=64)
    captured_at = models.DateTimeField()
    app = models.CharField(max_length=100)
    x = models.IntegerField()
    y = models.IntegerField()
    clicks = models.PositiveIntegerField()
    distance_px = models.PositiveIntegerField()

    class Meta:
        db_table = "telemetry_pointer"
        indexes = [
            models.Index(
                fields=["device_serial", "captured_at"],
                name="telemetry_pointer_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device_serial} {self.captured_at:%Y-%m-%d %H:%M} {self.app}"


class ScreenCapture(models.Model):
    """Metadata of a screenshot; the PNG itself lives under the files root."""

    device_serial = models.CharField(max_length=64)
    captured_at = models.DateTimeField()
    app = models.CharField(max_length=100)
    # Relative to settings.TELEMETRY_FILES_ROOT:
    # captures/<device_serial>/<YYYY-MM-DD>/<id>.png
    file_path = models.CharField(max_length=300)
    ocr_text = models.TextField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        db_table = "telemetry_screen_capture"
        indexes = [
            models.Index(
                fields=["device_serial", "captured_at"],
                name="telemetry_capture_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.file_path


class AppSession(models.Model):
    """A stretch of time one application was in the foreground."""

    os_username = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    app = models.CharField(max_length=100)
    active_seconds = models.PositiveIntegerField()

    class Meta:
        db_table = "telemetry_app_session"
        indexes = [
            models.Index(
                fields=["os_username", "started_at"],
                name="telemetry_app_session_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.os_username} {self.started_at:%Y-%m-%d %H:%M} {self.app}"


class AiPrompt(models.Model):
    """A prompt sent to an AI assistant and the answer it gave."""

    ai_username = models.CharField(max_length=64)
    sent_at = models.DateTimeField()
    tool = models.CharField(max_length=100)
    prompt = models.TextField()
    response = models.TextField()

    class Meta:
        db_table = "telemetry_ai_prompt"
        indexes = [
            models.Index(
                fields=["ai_username", "sent_at"], name="telemetry_ai_prompt_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ai_username} {self.sent_at:%Y-%m-%d %H:%M} {self.tool}"


class ChatMessage(models.Model):
    """A message posted in the company chat."""

    chat_handle = models.CharField(max_length=64)
    sent_at = models.DateTimeField()
    channel = models.CharField(max_length=100)
    text = models.TextField()

    class Meta:
        db_table = "telemetry_chat_message"
        indexes = [
            models.Index(
                fields=["chat_handle", "sent_at"], name="telemetry_chat_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chat_handle} {self.sent_at:%Y-%m-%d %H:%M} {self.channel}"


class MeetingTranscriptLine(models.Model):
    """One line of an automatically transcribed meeting."""

    email = models.CharField(max_length=254)
    spoken_at = models.DateTimeField()
    meeting_title = models.CharField(max_length=200)
    text = models.TextField()

    class Meta:
        db_table = "telemetry_meeting_transcript"
        indexes = [
            models.Index(
                fields=["email", "spoken_at"], name="telemetry_meeting_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} {self.spoken_at:%Y-%m-%d %H:%M} {self.meeting_title}"


class PerformanceNote(models.Model):
    """A manager's note about an employee's performance."""

    employee_number = models.CharField(max_length=64)
    written_at = models.DateTimeField()
    author_employee_number = models.CharField(max_length=64)
    note = models.TextField()
    rating = models.PositiveSmallIntegerField()

    class Meta:
        db_table = "telemetry_performance_note"
        indexes = [
            models.Index(
                fields=["employee_number", "written_at"],
                name="telemetry_perf_note_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_number} {self.written_at:%Y-%m-%d}"


class TrainingCorpusEntry(models.Model):
    """A snippet copied out of another dataset to train an AI model.

    This is derived data, as in the incident: it repeats what keystrokes, chat
    messages and AI prompts hold, so a request must reach these copies too.
    """

    email = models.CharField(max_length=254)
    collected_at = models.DateTimeField()
    # The catalog key of the dataset the snippet was copied from.
    source_dataset = models.CharField(max_length=100)
    source_id = models.BigIntegerField()
    snippet = models.TextField()

    class Meta:
        db_table = "telemetry_ai_training_corpus"
        indexes = [
            models.Index(
                fields=["email", "collected_at"], name="telemetry_corpus_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} {self.source_dataset}#{self.source_id}"


class SeedRun(models.Model):
    """One run of `seed_telemetry`; a finished run makes reseeding a no-op."""

    params = models.JSONField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # {table name: rows written}
    row_counts = models.JSONField(default=dict)

    class Meta:
        db_table = "telemetry_seed_run"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"seed run {self.pk} {self.params}"
