"""Personal download links: one material for one registrant or member, and the log of downloads.

A download link is "<id>.<HMAC>" over the registration or member, with the material's id in the
purpose: it opens that one material for that one person, and it is checked in constant time.
"""

import logging

from app.extensions import db
from app.mail.compose import public_url
from app.materials.errors import DownloadLinkInvalid
from app.materials.files import stored_path
from app.materials.models import Material, MaterialDownload
from app.members.models import Member
from app.registrations.models import Registration
from app.tokens import find_signed, make_token

log = logging.getLogger(__name__)

DOWNLOAD_PURPOSE = "material-download"
# The <kind> part of a download URL: whose token it is.
REGISTRANT = "r"
MEMBER = "m"


def _purpose(material_id: int) -> str:
    # The material's id is signed too: a link opens one material, not every other one by its id.
    return f"{DOWNLOAD_PURPOSE}:{material_id}"


def download_url(material: Material, holder: Registration | Member) -> str:
    """The link that opens `material` for this registrant or member (and logs it)."""
    if isinstance(holder, Registration):
        kind, nonce = REGISTRANT, holder.token_nonce
    else:
        kind, nonce = MEMBER, holder.list_nonce
    token = make_token(_purpose(material.id), holder.id, nonce)
    return public_url("materials.download", material_id=material.id, kind=kind, token=token)


def record_download(material_id: int, kind: str, token: str) -> Material:
    """Check the link and log the download; raises DownloadLinkInvalid for anyone else's token,
    another material's token, or a file that is gone."""
    material = db.session.get(Material, material_id)
    if material is None:
        raise DownloadLinkInvalid()
    download = MaterialDownload(material_id=material.id)
    if kind == REGISTRANT:
        registration = find_signed(Registration, token, _purpose(material.id), "token_nonce")
        if registration is None or registration.event_id != material.event_id:
            raise DownloadLinkInvalid()
        download.registration_id = registration.id
    elif kind == MEMBER:
        member = find_signed(Member, token, _purpose(material.id), "list_nonce")
        if member is None:
            raise DownloadLinkInvalid()
        download.member_id = member.id
    else:
        raise DownloadLinkInvalid()
    if not material.is_link and not stored_path(material).is_file():
        log.error("material %s: stored file %s is missing", material.id, material.stored_name)
        raise DownloadLinkInvalid()
    db.session.add(download)
    db.session.flush()
    return material
