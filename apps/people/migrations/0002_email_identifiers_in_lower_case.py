"""E-mail identifiers in lower case (Identifier.save does it from now on).

An address whose lower-case form another employee already holds is left as
it is: merging two people's identifiers is for an officer to decide, and the
roster import reports the clash the next time it meets it.
"""

from django.db import migrations
from django.db.models.functions import Lower


def lower_emails(apps, schema_editor):
    Identifier = apps.get_model("people", "Identifier")
    alias = schema_editor.connection.alias
    rows = Identifier.objects.using(alias).filter(kind="email")
    taken = set(rows.values_list("value", flat=True))
    for identifier in rows.exclude(value=Lower("value")).iterator():
        lowered = identifier.value.lower()
        if lowered in taken:
            continue
        taken.discard(identifier.value)
        taken.add(lowered)
        Identifier.objects.using(alias).filter(pk=identifier.pk).update(value=lowered)


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(lower_emails, migrations.RunPython.noop)]
