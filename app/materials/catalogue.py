"""An event's materials: adding a file or a link, removing one, the list and its download counts."""

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select

from app.audit.actor import Actor
from app.audit.services import record
from app.errors import DomainError, EventNotFound
from app.events.models import Event
from app.extensions import db
from app.materials.errors import InvalidLink, MaterialNotFound
from app.materials.files import materials_dir, store_upload
from app.materials.models import Material, MaterialDownload
from app.text import breaks_header

TITLE_MAX = 200
URL_MAX = 500


def get_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise EventNotFound()
    return event


def add_file(event_id: int, title: str, filename: str, stream, *, actor: Actor) -> Material:
    """Keep an uploaded file for the event, or raise MaterialRefused having stored nothing."""
    event = get_event(event_id)
    stored = store_upload(filename, stream)
    material = Material(
        event_id=event.id,
        title=(title or "").strip()[:TITLE_MAX] or stored.filename.rpartition(".")[0][:TITLE_MAX],
        filename=stored.filename,
        stored_name=stored.path.name,
        content_type=stored.content_type,
        size=stored.size,
    )
    db.session.add(material)
    try:
        db.session.flush()
    except BaseException:
        stored.path.unlink(missing_ok=True)
        raise
    record(
        actor,
        "material.upload",
        f"material:{material.id}",
        event_id=event.id,
        filename=material.filename,
        size=material.size,
    )
    return material


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if not url or len(url) > URL_MAX or breaks_header(url) or any(ch.isspace() for ch in url):
        raise InvalidLink()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise InvalidLink() from None
    if parts.scheme.lower() != "https" or not host:
        raise InvalidLink()
    return url


def add_link(event_id: int, title: str, url: str, *, actor: Actor) -> Material:
    """A link (a video, a page elsewhere) as a material of the event; only https URLs."""
    event = get_event(event_id)
    title = (title or "").strip()
    if not title:
        raise DomainError(_l("タイトルを入力してください。"), field="link_title")
    material = Material(event_id=event.id, title=title[:TITLE_MAX], url=_check_url(url))
    db.session.add(material)
    db.session.flush()
    record(
        actor, "material.add_link", f"material:{material.id}", event_id=event.id, url=material.url
    )
    return material


def get_material(event_id: int, material_id: int) -> Material:
    material = db.session.get(Material, material_id)
    if material is None or material.event_id != event_id:
        raise MaterialNotFound()
    return material


def delete_material(event_id: int, material_id: int, *, actor: Actor) -> Material:
    """Remove the material, its download log and its file."""
    material = get_material(event_id, material_id)
    stored_name = material.stored_name
    db.session.delete(material)
    db.session.flush()
    record(
        actor, "material.delete", f"material:{material_id}", event_id=event_id, title=material.title
    )
    if stored_name:
        (materials_dir() / stored_name).unlink(missing_ok=True)
    return material


def event_materials(event_id: int) -> list[Material]:
    query = (
        select(Material)
        .where(Material.event_id == event_id)
        .order_by(Material.created_at, Material.id)
    )
    return list(db.session.scalars(query))


def download_counts(event_id: int) -> dict[int, tuple[int, int]]:
    """For each material of the event: (downloads, different people who downloaded)."""
    rows = db.session.execute(
        select(
            MaterialDownload.material_id,
            func.count(),
            func.count(distinct(MaterialDownload.registration_id)),
            func.count(distinct(MaterialDownload.member_id)),
        )
        .join(Material, Material.id == MaterialDownload.material_id)
        .where(Material.event_id == event_id)
        .group_by(MaterialDownload.material_id)
    ).all()
    return {material_id: (total, regs + members) for material_id, total, regs, members in rows}
