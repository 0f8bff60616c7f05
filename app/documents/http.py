"""Sending a PDF: as a download, kept out of caches (the documents hold personal data)."""

import io

from flask import Response, send_file


def pdf_response(body: bytes, filename: str) -> Response:
    response = send_file(
        io.BytesIO(body), mimetype="application/pdf", as_attachment=True, download_name=filename
    )
    response.headers["Cache-Control"] = "no-store"
    return response
