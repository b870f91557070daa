"""Avatars in S3-compatible object storage (MEDIA_BUCKET): uploaded through the settings page into a
real S3 server (moto's server mode on 127.0.0.1), shown from it under the page's CSP, deleted from it
when replaced or removed, and never written to the local disk."""

import html
import io
import json
import re
import runpy
import threading
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import boto3
import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from PIL import Image
from storages.backends.s3 import S3Storage
from werkzeug.serving import make_server

from booky.core import media_storage
from tests.factories import UserFactory

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "booky" / "settings.py"
BUCKET = "booky-media"
CREDENTIALS = {"MEDIA_ACCESS_KEY_ID": "booky-test", "MEDIA_SECRET_ACCESS_KEY": "booky-test-secret"}
MEDIA_ENV = ("MEDIA_BUCKET", "MEDIA_ENDPOINT_URL", "MEDIA_REGION", "MEDIA_PUBLIC_URL", *CREDENTIALS)
PORTS = range(8400, 8500)
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        }
    ],
}


def image_upload(color, name="picture.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), color=color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def booted_settings(monkeypatch, env: dict[str, str]) -> dict:
    """booky/settings.py evaluated afresh with `env` as the only MEDIA_* variables."""
    for name in MEDIA_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 in server mode on the first free port of 8400-8499; bound here, so a taken port is
    skipped (ThreadedMotoServer would wait forever for a server that failed to bind)."""
    app = DomainDispatcherApplication(create_backend_app)
    for port in PORTS:
        try:
            server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
        except OSError:
            continue
        break
    else:
        pytest.fail("No free port in 8400-8499 for the S3 server.")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join()


@pytest.fixture(params=["signed", "public"])
def object_storage(request, s3_server, monkeypatch, settings, tmp_path):
    """The default storage is the bucket, configured by booky/settings.py from MEDIA_* as a deployment
    would be: signed URLs on the endpoint, or plain ones under MEDIA_PUBLIC_URL."""
    env = {
        "MEDIA_BUCKET": BUCKET,
        "MEDIA_ENDPOINT_URL": s3_server,
        "MEDIA_REGION": "us-east-1",
        **CREDENTIALS,
    }
    if request.param == "public":
        env["MEDIA_PUBLIC_URL"] = f"{s3_server}/{BUCKET}/"
    booted = booted_settings(monkeypatch, env)
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["MEDIA_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["MEDIA_SECRET_ACCESS_KEY"],
    )
    s3.create_bucket(Bucket=BUCKET)
    if request.param == "public":
        # What a deployment with MEDIA_PUBLIC_URL sets up: anyone may read the objects, nobody lists.
        s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
    settings.MEDIA_ROOT = tmp_path / "media"
    storages = {**settings.STORAGES, "default": booted["STORAGES"]["default"]}
    with override_settings(STORAGES=storages, SECURE_CSP=booted["SECURE_CSP"]):
        yield SimpleNamespace(
            s3=s3,
            endpoint=s3_server,
            booted=booted,
            media_root=settings.MEDIA_ROOT,
            public=request.param == "public",
        )
    for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=BUCKET)


def keys_in_bucket(s3) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def avatar_src(page_html: str) -> str:
    match = re.search(r'<img class="avatar" src="([^"]+)"', page_html)
    assert match, "no avatar <img> on the page"
    return html.unescape(match.group(1))


def img_sources(response) -> list[str]:
    directives = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip()
    )
    return directives["img-src"].split()


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.mark.django_db
def test_an_avatar_lives_in_the_bucket_shows_from_it_and_goes_with_replace_and_remove(
    client, object_storage, django_capture_on_commit_callbacks
):
    s3 = object_storage.s3
    assert object_storage.booted["SERVE_MEDIA"] is False
    # override_settings(STORAGES=...) dropped the storages Django had already built.
    assert isinstance(storages["default"], S3Storage) and default_storage.bucket_name == BUCKET
    me = UserFactory(username="me", display_name="Mia Reader")
    client.force_login(me)

    # The form's POST without JavaScript: a redirect back to the settings page.
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post("/settings/avatar/", {"avatar": image_upload((200, 30, 30))}, follow=True)
    assert saved.redirect_chain == [("/settings/", 302)]
    me.refresh_from_db()
    first = me.avatar.name
    assert keys_in_bucket(s3) == [first] and first.startswith(f"avatars/{me.pk}/")
    stored = s3.get_object(Bucket=BUCKET, Key=first)
    assert stored["ContentType"] == "image/webp"
    assert stored["CacheControl"] == media_storage.CACHE_CONTROL
    stored_bytes = stored["Body"].read()

    for page in (saved, client.get("/u/me/")):
        src = avatar_src(page.content.decode())
        assert src.startswith(f"{object_storage.endpoint}/{BUCKET}/{first}")
        assert origin(src) in img_sources(page)
    fetched = requests.get(src, timeout=10)
    assert fetched.status_code == 200 and fetched.headers["Content-Type"] == "image/webp"
    assert fetched.content == stored_bytes
    assert Image.open(io.BytesIO(fetched.content)).size == (256, 256)
    if not object_storage.public:
        # The bucket is private: the URL's signature is what lets the browser read it.
        assert requests.get(src.split("?")[0], timeout=10).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/settings/avatar/",
            {"avatar": image_upload((30, 30, 200), "b.png")},
            headers={"HX-Request": "true"},
        )
    me.refresh_from_db()
    assert me.avatar.name != first and keys_in_bucket(s3) == [me.avatar.name]

    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post("/settings/avatar/remove/", {}, headers={"HX-Request": "true"})
    assert removed.status_code == 200 and '<svg class="avatar"' in removed.content.decode()
    assert keys_in_bucket(s3) == []
    media_root = object_storage.media_root
    assert not media_root.exists() or list(media_root.rglob("*")) == []


# --- the settings, from the environment ---------------------------------------------------------


def test_without_a_bucket_media_stay_on_the_local_disk_and_booky_serves_them(monkeypatch):
    assert media_storage.default_storage({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert media_storage.media_origins({"MEDIA_ENDPOINT_URL": "http://127.0.0.1:8400"}) == []
    booted = booted_settings(monkeypatch, {})
    assert booted["SERVE_MEDIA"] is True
    assert booted["STORAGES"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert not any("8400" in source for source in booted["SECURE_CSP"]["img-src"])


def test_a_bucket_with_an_endpoint_is_s3_storage_with_signed_urls_on_that_endpoint(monkeypatch):
    env = {
        "MEDIA_BUCKET": BUCKET,
        "MEDIA_ENDPOINT_URL": "https://s3.example.net:9443",
        "MEDIA_REGION": "eu-1",
    }
    storage = media_storage.default_storage({**env, **CREDENTIALS})
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": BUCKET,
        "endpoint_url": "https://s3.example.net:9443",
        "addressing_style": "path",
        "region_name": "eu-1",
        "access_key": "booky-test",
        "secret_key": "booky-test-secret",
        "file_overwrite": False,
        "default_acl": None,
        "object_parameters": {"CacheControl": media_storage.CACHE_CONTROL},
        "signature_version": "s3v4",
        "querystring_auth": True,
        "querystring_expire": 3600,
    }
    url = S3Storage(**storage["OPTIONS"]).url("avatars/7/abc.webp")
    assert (
        url.startswith(f"https://s3.example.net:9443/{BUCKET}/avatars/7/abc.webp?")
        and "X-Amz-Signature=" in url
    )
    booted = booted_settings(monkeypatch, env)
    assert booted["SERVE_MEDIA"] is False
    assert booted["SECURE_CSP"]["img-src"][-1] == "https://s3.example.net:9443"


def test_a_public_url_gives_plain_urls_under_it_without_a_signature():
    env = {"MEDIA_BUCKET": BUCKET, "MEDIA_PUBLIC_URL": "https://media.booky.example/avatars-cdn/"}
    options = media_storage.default_storage(env)["OPTIONS"]
    assert options["querystring_auth"] is False
    assert options["custom_domain"] == "media.booky.example/avatars-cdn"
    url = S3Storage(**options).url("avatars/7/abc.webp")
    assert url == "https://media.booky.example/avatars-cdn/avatars/7/abc.webp"
    assert media_storage.media_origins(env) == ["https://media.booky.example"]


def test_without_media_credentials_boto3_finds_its_own():
    options = media_storage.default_storage({"MEDIA_BUCKET": BUCKET, "MEDIA_ACCESS_KEY_ID": " "})["OPTIONS"]
    assert "access_key" not in options and "secret_key" not in options and "endpoint_url" not in options
    assert media_storage.media_origins({"MEDIA_BUCKET": BUCKET, "MEDIA_REGION": "eu-west-3"}) == [
        f"https://{BUCKET}.s3.amazonaws.com",
        f"https://{BUCKET}.s3.eu-west-3.amazonaws.com",
    ]


@pytest.mark.parametrize("name", ["MEDIA_ENDPOINT_URL", "MEDIA_PUBLIC_URL"])
def test_a_malformed_url_stops_start_up_naming_the_variable(name):
    with pytest.raises(ImproperlyConfigured, match=name):
        media_storage.default_storage({"MEDIA_BUCKET": BUCKET, name: "s3.example.net/booky"})
