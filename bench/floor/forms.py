"""The sign-up form and the organisation list it suggests (the product's own data file)."""

import csv
import unicodedata
from functools import cache
from pathlib import Path

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import BooleanField, RadioField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

ORGANIZATIONS = Path(__file__).resolve().parents[2] / "app/organizations/local_governments.csv"


@cache
def organization_codes() -> dict[str, str]:
    """「北海道 札幌市」 -> "011002", for each of the 1,788 local governments."""
    with ORGANIZATIONS.open(encoding="utf-8") as f:
        return {
            " ".join(filter(None, (row["prefecture"], row["municipality"]))): row["code"]
            for row in csv.DictReader(f)
        }


@cache
def organization_datalist() -> Markup:
    """The <datalist> of every name, rendered once per process as the product does."""
    options = "".join(f'<option value="{escape(name)}"></option>' for name in organization_codes())
    return Markup(f'<datalist id="local-governments">{options}</datalist>')


def clean(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


class SignUpForm(FlaskForm):
    name = StringField("氏名", filters=[clean], validators=[DataRequired(), Length(max=100)])
    email = StringField(
        "メールアドレス",
        filters=[lambda s: (s or "").strip()],
        validators=[DataRequired(), Length(max=254), Email(allow_smtputf8=False)],
    )
    organization = StringField(
        "所属団体", filters=[clean], validators=[DataRequired(), Length(max=100)]
    )
    parts = SelectMultipleField(
        "参加する部",
        coerce=int,
        validators=[InputRequired()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    table = RadioField("情報交換会のテーブル", coerce=int, validators=[Optional()])
    privacy = BooleanField("「個人情報の取り扱いについて」に同意します", [DataRequired()])

    def offer(self, event) -> None:
        """The event's parts and tables are the only choices."""
        self.parts.choices = [(part.id, part.title) for part in event.parts]
        self.table.choices = [(table.id, table.title) for table in event.tables]
