"""The AI training corpus copies real snippets out of its source datasets."""

from apps.telemetry.models import (
    AiPrompt,
    ChatMessage,
    KeystrokeEvent,
    TrainingCorpusEntry,
)
from apps.telemetry.seeding.rows import SNIPPET_CHARS
from tests.telemetry.conftest import seed, telemetry_db

SOURCES = {
    "keystrokes": (KeystrokeEvent, "typed_text", "captured_at"),
    "chat_messages": (ChatMessage, "text", "sent_at"),
    "ai_prompts": (AiPrompt, "prompt", "sent_at"),
}


@telemetry_db
def test_each_corpus_row_copies_a_snippet_of_its_source(files_root):
    seed("--employees", "10", "--days", "4", "--seed", "3")

    entries = list(TrainingCorpusEntry.objects.all())
    assert {entry.source_dataset for entry in entries} == set(SOURCES)
    for entry in entries:
        model, text, timestamp = SOURCES[entry.source_dataset]
        source = model.objects.get(pk=entry.source_id)
        assert entry.snippet == getattr(source, text)[:SNIPPET_CHARS]
        assert entry.collected_at > getattr(source, timestamp)
