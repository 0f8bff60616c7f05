"""Dates read the way people in Japanese offices read them, in Japan time whatever the server's zone."""

from datetime import UTC, datetime

from flask_babel import force_locale

from app.formatting import format_date, format_datetime, format_span


def test_span_on_one_day_is_written_once_in_japan_time(app):
    start = datetime(2026, 9, 15, 5, 0, tzinfo=UTC)  # 14:00 JST
    end = datetime(2026, 9, 15, 7, 0, tzinfo=UTC)
    assert format_span(start, end) == "2026年9月15日(火) 14:00〜16:00"


def test_utc_evening_is_already_the_next_day_in_japan(app):
    moment = datetime(2026, 12, 31, 15, 30, tzinfo=UTC)
    assert format_datetime(moment) == "2027年1月1日(金) 00:30"


def test_span_over_two_days_writes_both_dates(app):
    start = datetime(2026, 9, 15, 1, 0, tzinfo=UTC)
    end = datetime(2026, 9, 16, 8, 0, tzinfo=UTC)
    assert format_span(start, end) == "2026年9月15日(火) 10:00〜2026年9月16日(水) 17:00"


def test_english_dates(app):
    start = datetime(2026, 9, 15, 5, 0, tzinfo=UTC)
    end = datetime(2026, 9, 15, 7, 0, tzinfo=UTC)
    with app.test_request_context(), force_locale("en"):
        assert format_date(start) == "Tue 15 September 2026"
        assert format_span(start, end) == "Tue 15 September 2026 14:00–16:00"
