import datetime as dt

from apps.rights.deadlines import add_business_days, clock_for

UTC = dt.UTC


def test_it_gives_eu_one_month_ending_on_the_months_last_day():
    received = dt.datetime(2027, 1, 31, 10, 0, tzinfo=UTC)
    assert clock_for("EU").due(received) == dt.datetime(2027, 2, 28, 10, 0, tzinfo=UTC)


def test_it_extends_eu_and_uk_by_two_further_months():
    due = dt.datetime(2026, 12, 15, tzinfo=UTC)
    assert clock_for("UK").extended(due) == dt.datetime(2027, 2, 15, tzinfo=UTC)
    assert clock_for("EU").extended(due) == dt.datetime(2027, 2, 15, tzinfo=UTC)


def test_it_gives_california_45_days_plus_45_and_an_acknowledgement():
    received = dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # a Friday
    clock = clock_for("US-CA")
    assert clock.due(received) == received + dt.timedelta(days=45)
    assert clock.extended(clock.due(received)) == received + dt.timedelta(days=90)
    # Ten weekdays after a Friday is the Friday two weeks later.
    assert clock.acknowledge_by(received) == dt.datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def test_it_asks_no_acknowledgement_in_the_eu():
    assert clock_for("EU").acknowledge_by(dt.datetime(2026, 1, 1, tzinfo=UTC)) is None


def test_it_uses_the_eu_clock_for_an_unknown_jurisdiction():
    assert clock_for("XX").jurisdiction == "EU"


def test_it_skips_weekends_when_counting_business_days():
    saturday = dt.datetime(2026, 11, 21, tzinfo=UTC)
    assert add_business_days(saturday, 1) == dt.datetime(2026, 11, 23, tzinfo=UTC)
