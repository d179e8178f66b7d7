from apps.catalog import taxonomy
from apps.catalog.taxonomy import TaxonomyKind


def test_it_knows_fideslang_keys():
    assert taxonomy.is_valid(TaxonomyKind.DATA_CATEGORY, "user.contact.email")
    assert taxonomy.is_valid(TaxonomyKind.DATA_USE, "employment")
    assert taxonomy.is_valid(TaxonomyKind.DATA_SUBJECT, "employee")


def test_it_adds_the_monitoring_extensions():
    for key, _name, _description in taxonomy.MONITORING_EXTENSIONS:
        assert taxonomy.is_valid(TaxonomyKind.DATA_CATEGORY, key)
    assert len(taxonomy.MONITORING_EXTENSIONS) == 9


def test_it_refuses_unknown_keys():
    assert taxonomy.unknown_keys(
        TaxonomyKind.DATA_CATEGORY,
        ["user.behavior.keystrokes", "user.behavior.mind_reading", "employment"],
    ) == ["user.behavior.mind_reading", "employment"]
    assert not taxonomy.is_valid(TaxonomyKind.DATA_USE, "user.behavior.keystrokes")


def test_it_names_keys_for_people():
    assert taxonomy.display_name("user.behavior.keystrokes") == "Keystrokes"
    assert taxonomy.display_name("user.contact.email") == "User Contact Email"
    assert taxonomy.display_name("employee") == "Employee"
    assert taxonomy.display_name("no.such.key") == "no.such.key"


def test_it_builds_the_taxonomy_once():
    assert taxonomy.terms(TaxonomyKind.DATA_USE) is taxonomy.terms(
        TaxonomyKind.DATA_USE
    )
