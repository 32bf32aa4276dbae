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
