"""The input model of one row of a contact list: the person fields of a membership (the same
types and rules as /join, app/members/inputs.py), plus the reading, a phone number, and the
registration and consent dates as spreadsheets write them."""

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, BeforeValidator, model_validator

from app.inputs import EARLIEST_YEAR, Code, EmailAddress, InputModel, Line, rule
from app.members.imports.columns import FIELDS
from app.members.inputs import Department, Name, Organization

CONSENT_METHOD_MAX = 100
# 2024/4/1, 2024-04-01, 2024.4.1, 2024年4月1日 (a time after it is allowed and ignored).
_DATE = re.compile(r"^(\d{4})\s*[/\-.年]\s*(\d{1,2})\s*[/\-.月]\s*(\d{1,2})\s*日?(?:[\sT].*)?$")
# 令和6年4月1日, R6.4.1, 平成31年4月30日.
_ERA = re.compile(
    r"^(令和|平成|R|H)\s*(\d{1,2}|元)\s*[/\-.年]\s*(\d{1,2})\s*[/\-.月]\s*(\d{1,2})\s*日?$"
)
_ERA_START = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988}
# Excel's day 1 is 1900-01-01, with its 1900 leap-year bug (serial 60): day 0 is 1899-12-30.
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()


def _date(value):
    """A date written any way a spreadsheet writes one; text we cannot read is refused."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return None
    try:
        if match := _DATE.match(text):
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)
        if match := _ERA.match(text.upper() if text[0] in "rh" else text):
            era, year, month, day = match.groups()
            year = 1 if year == "元" else int(year)
            return date(_ERA_START[era] + year, int(month), int(day))
        if text.isdigit() and 30_000 <= int(text) <= 80_000:
            return date.fromordinal(_EXCEL_EPOCH + int(text))
    except ValueError:
        pass
    raise rule(_("日付として読めません（例: 2026/4/1、2026年4月1日）。"))


def _plausible_date(value):
    if value is not None and value.year < EARLIEST_YEAR:
        raise rule(_("%(year)d年以降の日付を入力してください。", year=EARLIEST_YEAR))
    return value


Day = Annotated[date | None, BeforeValidator(_date), AfterValidator(_plausible_date)]


class ImportRowInput(InputModel):
    """One contact: who, which organisation, how to reach them, and their consent record if the
    secretariat holds one (when, and how it was given: 「申込書（紙）」「説明会で口頭」…)."""

    labels = {name: label for name, (label, _required) in FIELDS.items()}

    organization: Organization
    department: Department = ""
    name: Name
    kana: Annotated[str, Line(100)] = ""
    email: EmailAddress
    phone: Annotated[str, Code(30)] = ""
    registered_on: Day = None
    consent_on: Day = None
    consent_method: Annotated[str, Line(CONSENT_METHOD_MAX)] = ""

    @model_validator(mode="after")
    def _consent_record(self):
        if self.consent_on is not None and not self.consent_method:
            raise rule(
                _l("同意日があるときは同意方法（例: 申込書、メールで返信）も入力してください。")
            )
        if self.consent_method and self.consent_on is None:
            raise rule(_l("同意方法があるときは同意日も入力してください。"))
        return self

    @property
    def consented(self) -> bool:
        return self.consent_on is not None and bool(self.consent_method)
