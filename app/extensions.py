"""Flask extensions, created unbound and bound to the app in create_app()."""

from typing import TYPE_CHECKING

from flask import current_app, has_request_context, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def select_locale() -> str:
    """Japanese first; English when the visitor chose it or their browser asks for it."""
    if not has_request_context():
        return "ja"  # mail renders under force_locale; anything else outside a request is Japanese
    chosen = request.cookies.get("lang")
    if chosen in ("ja", "en"):
        return chosen
    return request.accept_languages.best_match(["ja", "en"], default="ja")


db = SQLAlchemy(model_class=Base)

# The models' base class. Type checkers cannot follow a base read from an attribute (mypy#8603),
# so they see the declarative base; the running code gets Flask-SQLAlchemy's model.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
mail = Mail()
csrf = CSRFProtect()
babel = Babel()
login = LoginManager()
limiter = Limiter(key_func=get_remote_address)


def public_form_limit() -> str:
    """The rate limit of public forms (sign-up, membership), from PUBLIC_FORM_RATE_LIMIT."""
    return current_app.config["PUBLIC_FORM_RATE_LIMIT"]
