"""Personal download links for materials (資料), as mailed to registrants and members."""

from flask import Blueprint, redirect, render_template, send_file

from app.database import writes
from app.extensions import db
from app.materials import downloads, files
from app.materials.errors import DownloadLinkInvalid

bp = Blueprint("materials", __name__)
bp.add_app_template_filter(files.human_size, "filesize")
bp.add_app_template_filter(files.kind_label, "material_kind")


@bp.route("/materials/<id:material_id>/<kind>/<token>")
@writes
def download(material_id, kind, token):
    """Check the recipient's own link, log the download, then hand over the file or the link."""
    try:
        material = downloads.record_download(material_id, kind, token)
    except DownloadLinkInvalid:
        db.session.rollback()
        return render_template("materials/invalid.html"), 404
    db.session.commit()
    if material.is_link:
        return redirect(material.url)
    response = send_file(
        files.stored_path(material),
        mimetype=material.content_type,
        as_attachment=True,
        download_name=material.filename,
        max_age=0,
    )
    # A personal link: no shared cache keeps the file.
    response.cache_control.private = True
    return response
