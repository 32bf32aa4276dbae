"""What an uploaded file really is, read from its first bytes, never from its name or the
headers its sender chose (a receipt, a document sent with a convocation)."""

import zipfile

MIMETYPE_BYTES = 100
PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
OPENDOCUMENT = frozenset(
    {
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)


def content_type(upload, *, opendocument: bool = True) -> str | None:
    """PDF, PNG, JPEG or (unless `opendocument` is False) an OpenDocument type; None for
    anything else."""
    upload.seek(0)
    head = upload.read(80)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    # An OpenDocument file is a zip whose first entry, stored plain, names its type.
    if opendocument and head.startswith(b"PK\x03\x04") and head[30:38] == b"mimetype":
        return _opendocument_type(upload)
    return None


def _opendocument_type(upload) -> str | None:
    """The type an OpenDocument names in its first entry, stored plain and short as the
    format requires: anything else (compressed, encrypted, huge, broken) is no document."""
    try:
        with zipfile.ZipFile(upload) as archive:
            entry = archive.getinfo("mimetype")
            if entry.compress_type != zipfile.ZIP_STORED or entry.file_size > MIMETYPE_BYTES:
                return None
            with archive.open(entry) as opened:
                declared = opened.read(MIMETYPE_BYTES).strip().decode("ascii", "replace")
    except Exception:  # noqa: BLE001 — zipfile raises many kinds on a hostile file
        return None
    finally:
        upload.seek(0)
    return declared if declared in OPENDOCUMENT else None
