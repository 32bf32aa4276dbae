import io
import zipfile

from commun.lib.uploads import content_type


def opendocument(mimetype: bytes) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        archive.writestr("content.xml", "<office:document-content/>")
    buffer.seek(0)
    return buffer


def test_a_file_is_what_its_first_bytes_say_whatever_its_name():
    assert content_type(io.BytesIO(b"%PDF-1.7\n%%EOF\n")) == "application/pdf"
    assert content_type(io.BytesIO(b"\x89PNG\r\n\x1a\n....")) == "image/png"
    assert content_type(io.BytesIO(b"\xff\xd8\xff\xe0....")) == "image/jpeg"
    assert content_type(io.BytesIO(b"<html><script>")) is None


def test_an_opendocument_is_a_zip_that_names_its_type_first():
    text = opendocument(b"application/vnd.oasis.opendocument.text")
    assert content_type(text) == "application/vnd.oasis.opendocument.text"
    assert text.tell() == 0  # left where it was found, for whoever reads it next
    assert content_type(opendocument(b"application/x-shockwave-flash")) is None
    assert content_type(io.BytesIO(b"PK\x03\x04" + b"\0" * 26 + b"mimetype broken")) is None


def test_a_hostile_zip_is_no_document_and_never_an_error():
    raw = bytearray(opendocument(b"application/vnd.oasis.opendocument.text").getvalue())
    central = raw.index(b"PK\x01\x02")
    raw[6] |= 0x1  # the entry says it is encrypted: zipfile raises RuntimeError on reading it
    raw[central + 8] |= 0x1
    assert content_type(io.BytesIO(bytes(raw))) is None
    deflated = io.BytesIO()
    with zipfile.ZipFile(deflated, "w") as archive:
        big = b"application/vnd.oasis.opendocument.text" + b" " * 10_000_000
        archive.writestr("mimetype", big, compress_type=zipfile.ZIP_DEFLATED)
    assert content_type(deflated) is None  # never inflated


def test_a_receipt_is_never_read_as_an_archive():
    text = opendocument(b"application/vnd.oasis.opendocument.text")
    assert content_type(text, opendocument=False) is None
