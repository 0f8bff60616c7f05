"""The event form's reminders as controls: each row reads 「N 日前 HH:MM」, 「N 時間前」 or
「N 分前」 and is composed into the stored rule (「7d@10:00」, 「60m」) that the event's input
model checks; a stored rule is shown back as a row. A row whose number or time cannot be read
gets its message beside that control."""

import re
from datetime import time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.fields import TimeField
from wtforms.validators import Optional

from app.reminders.rules import RULE
from app.text import nfkc

DAYS, HOURS, MINUTES = "d", "h", "m"
UNIT_CHOICES = [
    SelectChoice(DAYS, _l("日前")),
    SelectChoice(HOURS, _l("時間前")),
    SelectChoice(MINUTES, _l("分前")),
]
BLANK_REMINDER_ROWS = 2
_NUMBER = re.compile(r"^\d{1,6}$")


class ReminderForm(FlaskForm):
    """One reminder: how long before the start, and at what time when counted in days."""

    class Meta:
        csrf = False

    count = StringField(_l("いつ（数）"), render_kw={"inputmode": "numeric", "size": 4})
    unit = SelectField(_l("単位"), choices=UNIT_CHOICES, default=DAYS, validate_choice=False)
    at = TimeField(_l("送る時刻（日前のとき）"), validators=[Optional()], default=None)

    @property
    def skipped(self) -> bool:
        return not nfkc(self.count.data or "").strip()

    def rule(self) -> str | None:
        """The stored rule for this row, or None with a message beside the control at fault."""
        count = nfkc(self.count.data or "").strip()
        if not _NUMBER.match(count):
            self.count.errors = [*self.count.errors, _l("数字で入力してください（例: 7）。")]
            return None
        if self.unit.data == DAYS:
            if self.at.data is None:
                if not self.at.errors:
                    self.at.errors = [
                        _l("「日前」のときは送る時刻を入力してください（例: 10:00）。")
                    ]
                return None
            return f"{int(count)}d@{self.at.data:%H:%M}"
        if self.unit.data == HOURS:
            return f"{int(count) * 60}m"
        if self.unit.data == MINUTES:
            return f"{int(count)}m"
        self.unit.errors = [*self.unit.errors, _l("「日前」「時間前」「分前」から選んでください。")]
        return None


def reminder_row(rule: str) -> dict:
    """A stored rule as the row shows it: 「7d@10:00」 -> 7 日前 10:00, 「120m」 -> 2 時間前."""
    match = RULE.match(rule)
    if match is None:
        return {"count": rule, "unit": DAYS}
    if match["days"]:
        return {
            "count": str(int(match["days"])),
            "unit": DAYS,
            "at": time(int(match["hour"]), int(match["minute"])),
        }
    minutes = int(match["minutes"])
    if minutes and minutes % 60 == 0:
        return {"count": str(minutes // 60), "unit": HOURS}
    return {"count": str(minutes), "unit": MINUTES}


def reminder_text(rule: str) -> str:
    """A stored rule as the console reads it: 「7日前 10:00」, 「1時間前」, 「90分前」."""
    row = reminder_row(rule)
    if row["unit"] == DAYS and "at" in row:
        return _("%(n)s日前 %(time)s", n=row["count"], time=f"{row['at']:%H:%M}")
    if row["unit"] == HOURS:
        return _("%(n)s時間前", n=row["count"])
    if row["unit"] == MINUTES:
        return _("%(n)s分前", n=row["count"])
    return rule
