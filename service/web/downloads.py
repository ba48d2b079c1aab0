"""Stored files handed back to a browser or API client: task attachments and partners' signed documents."""

from __future__ import annotations

from io import BytesIO

from flask import Response, send_file


def file_download(content: bytes, filename: str, *, fallback: str) -> Response:
    """Always a download, never rendered inline (an uploaded HTML file must not run in our origin). send_file
    writes any file name safely: an ASCII fallback plus RFC 6266 filename* for the real one."""
    response = send_file(
        BytesIO(content),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=filename or fallback,
        etag=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
