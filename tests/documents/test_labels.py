"""The label sheets: each fits A4, labels are placed row by row, used labels are skipped."""

import pytest

from app.documents.labels import BY_KEY, SHEETS, lay_out, sheet_named, text_size_pt


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda sheet: sheet.key)
def test_every_sheet_fits_on_a4(sheet):
    assert sheet.fits_on_a4()


def test_the_usual_name_tag_sheet_is_two_by_five_cards_of_86_by_54_mm():
    sheet = BY_KEY["card-86x54"]
    assert (sheet.columns, sheet.rows, sheet.width_mm, sheet.height_mm) == (2, 5, 86, 54)
    assert sheet_named(None) is sheet
    assert sheet_named("nonexistent") is None


def test_labels_fill_rows_first_and_pages_after_the_skipped_ones():
    sheet = BY_KEY["card-91x55"]
    pages = lay_out(list(range(12)), sheet, skip=3)
    assert [len(page) for page in pages] == [10, 5]
    first = pages[0]
    assert [slot.item for slot in first[:4]] == [None, None, None, 0]
    assert (first[0].x_mm, first[0].y_mm) == (14, 11)
    assert (first[1].x_mm, first[1].y_mm) == (105, 11)  # the second column
    assert (first[2].x_mm, first[2].y_mm) == (14, 66)  # the second row
    assert pages[1][-1].item == 11


def test_long_text_gets_smaller_type_down_to_a_floor():
    assert text_size_pt("山田", 78, 26, 11) == 26
    department = "総務部デジタル推進課 DX推進係"
    assert 6 < text_size_pt(department, 50, 10, 6) < 10
    assert text_size_pt("長" * 200, 78, 10, 6) == 6
