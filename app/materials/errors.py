"""What the materials services refuse: a file or link they cannot keep, a material or download
link that does not exist, a mail with nothing or nobody to send to."""

from flask_babel import lazy_gettext as _l

from app.errors import DomainError


class MaterialRefused(DomainError):
    """The file cannot be kept: no file, a type we do not take, content not matching, too large."""

    field = "file"


class InvalidLink(DomainError):
    message = _l("https:// で始まるURLを入力してください。")
    field = "url"


class MaterialNotFound(DomainError):
    message = _l("この資料は見つかりません。")


class DownloadLinkInvalid(DomainError):
    message = _l("このリンクは無効です。")


class NothingToSend(DomainError):
    field = "audience"
