"""What an uploaded file really is, read from its first bytes, never from its name or the
headers its sender chose (a receipt, a document sent with a convocation)."""

import zipfile

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


def content_type(upload) -> str | None:
    """PDF, PNG, JPEG or an OpenDocument type; None for anything else."""
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
    if head.startswith(b"PK\x03\x04") and head[30:38] == b"mimetype":
        return _opendocument_type(upload)
    return None


def _opendocument_type(upload) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            declared = archive.read("mimetype").strip().decode("ascii", "replace")
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    finally:
        upload.seek(0)
    return declared if declared in OPENDOCUMENT else None
