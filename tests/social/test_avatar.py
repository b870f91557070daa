"""Avatars: only real pictures (decoded by Pillow), at most 2 MB, no decompression bombs; stored
re-encoded as 256 × 256 WebP without metadata; removable, with initials otherwise."""

import io
import os
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from booky.core.errors import DomainError
from social.avatars import initials, process_upload
from social.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/settings/avatar/"
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def me(client):
    user = UserFactory(username="me", display_name="Mia Reader")
    client.force_login(user)
    return user


def image_bytes(fmt="PNG", size=(600, 400), mode="RGB", **save_kwargs) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color=(200, 30, 30) if mode == "RGB" else 0).save(buffer, format=fmt, **save_kwargs)
    return buffer.getvalue()


def upload(data: bytes, name="picture.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` × `height` pixels (a decompression bomb's calling card)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def stored_image(user) -> Image.Image:
    user.refresh_from_db()
    with default_storage.open(user.avatar.name) as stored:
        image = Image.open(io.BytesIO(stored.read()))
        image.load()
    return image


# --- the decoder ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "mode", "size"),
    [
        ("PNG", "RGB", (600, 400)),
        ("JPEG", "RGB", (300, 900)),
        ("GIF", "P", (100, 80)),
        ("WEBP", "RGB", (256, 256)),
    ],
)
def test_real_pictures_become_a_256_pixel_square_webp(fmt, mode, size):
    content = process_upload(upload(image_bytes(fmt, size, mode)))
    result = Image.open(io.BytesIO(content.read()))
    assert result.format == "WEBP" and result.size == (256, 256)


def test_metadata_is_stripped():
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Maker"  # camera make
    exif[0x8825] = {2: (38.0, 43.0, 0.0)}  # GPS latitude
    data = image_bytes("JPEG", exif=exif.tobytes())
    assert b"SpyCam" in data
    stored = process_upload(upload(data, "photo.jpg", "image/jpeg")).read()
    assert b"SpyCam" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"just some text, honestly", "This file is not a picture we can read."),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "not a picture"),
        (image_bytes("BMP"), "Upload a PNG, JPEG, GIF or WebP image."),
        (image_bytes("PNG")[:200], "not a picture"),  # truncated: the header reads, the pixels do not
        (b"", "This file is empty."),
    ],
    ids=["text-named-png", "svg", "bmp", "truncated-png", "empty"],
)
def test_anything_that_is_not_a_png_jpeg_gif_or_webp_is_refused(data, message):
    with pytest.raises(DomainError, match=message):
        process_upload(upload(data))


def test_a_file_over_2_mb_is_refused_before_decoding():
    noise = Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    assert buffer.tell() > 2 * 1024 * 1024
    with pytest.raises(DomainError, match="at most 2 MB"):
        process_upload(upload(buffer.getvalue()))


def test_a_header_claiming_huge_dimensions_is_refused_without_decompressing():
    bomb = png_declaring(100_000, 100_000)
    assert len(bomb) < 200
    with pytest.raises(DomainError, match="the limit is 16 megapixels"):
        process_upload(upload(bomb))


def test_a_real_picture_over_16_megapixels_is_refused():
    buffer = io.BytesIO()
    Image.new("1", (5000, 4000)).save(buffer, format="PNG")  # 20 MP, a few kilobytes once compressed
    assert buffer.tell() < 2 * 1024 * 1024
    with pytest.raises(DomainError, match="the limit is 16 megapixels"):
        process_upload(upload(buffer.getvalue()))


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Ada Lovelace", "AL"), ("bookworm", "B"), ("jane_austen", "JA"), ("Mary Ann Evans", "ME"), ("", "?")],
)
def test_initials(name, expected):
    assert initials(name) == expected


# --- the settings page ---------------------------------------------------------------------------


def test_uploading_with_htmx_swaps_the_picture_section_and_stores_a_256_pixel_webp(client, me):
    response = client.post(URL, {"avatar": upload(image_bytes("PNG", (900, 300)))}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="avatar-form"') and "<html" not in html
    assert "Your new picture is saved." in html and "Remove picture" in html
    image = stored_image(me)
    assert image.size == (256, 256) and image.format == "WEBP"
    me.refresh_from_db()
    assert me.avatar.name.startswith(f"avatars/{me.pk}/") and me.avatar.name.endswith(".webp")
    assert f'<img class="avatar" src="/media/{me.avatar.name}"' in client.get("/u/me/").content.decode()


def test_uploading_without_javascript_redirects_with_a_message(client, me):
    response = client.post(URL, {"avatar": upload(image_bytes("JPEG"), "me.jpg", "image/jpeg")}, follow=True)
    assert response.redirect_chain == [("/settings/", 302)]
    assert "Your new picture is saved." in response.content.decode()


def test_a_new_picture_replaces_the_old_file(client, me, django_capture_on_commit_callbacks):
    client.post(URL, {"avatar": upload(image_bytes())}, headers=HTMX)
    me.refresh_from_db()
    first = me.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"avatar": upload(image_bytes("GIF", mode="P"), "b.gif", "image/gif")}, headers=HTMX)
    me.refresh_from_db()
    assert me.avatar.name != first
    assert default_storage.exists(me.avatar.name) and not default_storage.exists(first)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not an image at all", "This file is not a picture we can read."),
        (png_declaring(50_000, 50_000), "the limit is 16 megapixels"),
    ],
    ids=["text", "bomb"],
)
def test_a_refused_upload_answers_422_with_the_error_and_keeps_the_old_picture(client, me, data, message):
    response = client.post(URL, {"avatar": upload(data)}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert "<html" not in html and message in html and 'aria-invalid="true"' in html
    me.refresh_from_db()
    assert not me.avatar


def test_a_refused_upload_without_javascript_renders_the_settings_page_with_422(client, me):
    response = client.post(URL, {"avatar": upload(b"text")})
    assert response.status_code == 422
    html = response.content.decode()
    assert (
        "<html" in html and "This file is not a picture we can read." in html and 'id="profile-form"' in html
    )


def test_posting_no_file_asks_for_one(client, me):
    response = client.post(URL, {}, headers=HTMX)
    assert response.status_code == 422 and "Choose a picture to upload." in response.content.decode()


def test_remove_picture_goes_back_to_initials_and_deletes_the_file(
    client, me, django_capture_on_commit_callbacks
):
    client.post(URL, {"avatar": upload(image_bytes())}, headers=HTMX)
    me.refresh_from_db()
    name = me.avatar.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/settings/avatar/remove/", {}, headers=HTMX)
    html = response.content.decode()
    assert (
        response.status_code == 200 and "Your picture was removed" in html and '<svg class="avatar"' in html
    )
    assert not default_storage.exists(name)
    assert not User.objects.get(pk=me.pk).avatar
    again = client.post("/settings/avatar/remove/", {}, headers=HTMX)
    assert again.status_code == 409 and "You have no picture to remove." in again.content.decode()


def test_anonymous_uploads_are_sent_to_login(client):
    response = client.post(URL, {"avatar": upload(image_bytes())})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
