from apps.reports.charts import Point, bar_chart, line_chart


def test_a_bar_chart_escapes_labels_and_marks_gaps():
    svg = bar_chart([Point("<b>", 3), Point("none", None)], title="T & U")
    assert "&lt;b&gt;" in svg and "<b>" not in svg
    assert 'aria-label="T &amp; U"' in svg
    assert svg.count("<rect") == 1


def test_a_line_chart_breaks_at_gaps():
    svg = line_chart(
        [Point("a", 1), Point("b", 2), Point("c", None), Point("d", 4), Point("e", 5)],
        title="x",
    )
    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 4
