"""The event form reads in sections (概要・日時・定員とパート・質問・リマインダー・公開); the optional
row sections (parts, tables, questions) are folded away until they hold rows, and a blank row
marks none of its fields 必須."""

import re

SECTIONS = ["概要", "日時（日本時間）", "定員とパート", "質問", "リマインダー", "公開"]


def details_of(page: str, section_id: str) -> str:
    match = re.search(rf'<details class="panel" id="{section_id}"[^>]*>', page)
    assert match, f"no folding section #{section_id}"
    return match.group(0)


def test_a_new_event_form_has_its_sections_in_order_and_folds_the_optional_rows(
    organizer_client,
):
    page = organizer_client.get("/admin/events/new").get_data(as_text=True)
    headings = re.findall(r'<h2 id="sec-[a-z]+">([^<]+)</h2>', page)
    assert headings == SECTIONS
    for section_id in ("parts", "tables", "questions"):
        assert " open" not in details_of(page, section_id)
    blank_rows = page[page.index('id="parts"') : page.index('id="sec-reminders"')]
    assert "questions-0-label" in blank_rows and 'class="req"' not in blank_rows


def test_an_event_with_parts_opens_that_section_and_marks_its_filled_rows(
    organizer_client, make_event
):
    event = make_event(parts=[{"title": "第一部 基調講演"}])
    page = organizer_client.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    assert " open" in details_of(page, "parts")
    assert " open" not in details_of(page, "questions")
    filled_row = page[page.index('id="parts"') : page.index('id="parts-1-title"')]
    assert filled_row.count('class="req"') == 1  # the filled part's title; the blank row none


def test_reminders_show_as_days_and_hours_on_the_form_and_the_event_page(
    organizer_client, make_event
):
    event = make_event(reminder_rules=["3d@09:30", "120m", "45m"])
    page = organizer_client.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    assert re.search(r'name="reminders-0-count"[^>]*value="3"', page)
    assert re.search(r'name="reminders-0-at" type="time" value="09:30"', page)
    assert re.search(
        r'name="reminders-1-unit">\s*<option value="d">[^<]*</option>\s*'
        r'<option selected value="h">',
        page,
    )
    assert re.search(r'name="reminders-2-count"[^>]*value="45"', page)
    detail = organizer_client.get(f"/admin/events/{event.id}").get_data(as_text=True)
    assert "3日前 09:30、2時間前、45分前" in detail
