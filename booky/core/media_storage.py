"""Where uploaded media (avatars) live: the local disk, or an S3-compatible bucket (MEDIA_BUCKET).

booky/settings.py builds STORAGES["default"] and the CSP's image origins from here, so this module
reads only the environment mapping it is given and imports nothing from Django apps.
"""

from collections.abc import Mapping
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

FILESYSTEM_STORAGE = "django.core.files.storage.FileSystemStorage"
S3_STORAGE = "storages.backends.s3.S3Storage"
# social.models.avatar_path draws a new random name for every upload and file_overwrite is off, so an
# object's bytes never change under its name: browsers and CDNs may keep it for a year.
CACHE_CONTROL = "public, max-age=31536000, immutable"
SIGNED_URL_SECONDS = 60 * 60


def _value(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip()


def _origin(url: str, *, name: str) -> str:
    """The scheme://host[:port] of `url`, or ImproperlyConfigured naming the variable."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(f"{name} must be an http:// or https:// URL, not {url!r}.")
    return f"{parts.scheme}://{parts.netloc}"


def uses_object_storage(env: Mapping[str, str]) -> bool:
    return bool(_value(env, "MEDIA_BUCKET"))


def default_storage(env: Mapping[str, str]) -> dict:
    """The STORAGES["default"] entry: S3Storage on MEDIA_BUCKET when it is set, the local disk otherwise."""
    bucket = _value(env, "MEDIA_BUCKET")
    if not bucket:
        return {"BACKEND": FILESYSTEM_STORAGE}
    options = {
        "bucket_name": bucket,
        "file_overwrite": False,
        # No per-object ACL: who may read is the bucket's policy (many providers refuse ACLs anyway).
        "default_acl": None,
        "object_parameters": {"CacheControl": CACHE_CONTROL},
        # Signature V4: the only one AWS accepts on new buckets, and what other providers implement.
        "signature_version": "s3v4",
        "querystring_auth": True,
        "querystring_expire": SIGNED_URL_SECONDS,
    }
    if endpoint := _value(env, "MEDIA_ENDPOINT_URL"):
        _origin(endpoint, name="MEDIA_ENDPOINT_URL")
        options["endpoint_url"] = endpoint
        # URLs are endpoint/bucket/key, so media_origins knows the host; S3-compatible servers
        # (SeaweedFS, moto, Ceph) serve path-style without per-bucket DNS names.
        options["addressing_style"] = "path"
    if region := _value(env, "MEDIA_REGION"):
        options["region_name"] = region
    # Without these, boto3 finds credentials itself: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile,
    # or the instance's or task's role.
    if access_key := _value(env, "MEDIA_ACCESS_KEY_ID"):
        options["access_key"] = access_key
    if secret_key := _value(env, "MEDIA_SECRET_ACCESS_KEY"):
        options["secret_key"] = secret_key
    if public_url := _value(env, "MEDIA_PUBLIC_URL").rstrip("/"):
        # Objects are publicly readable under this base URL (a CDN, a custom domain, or a bucket with
        # a public-read policy): plain URLs, no signature, the same URL on every page.
        _origin(public_url, name="MEDIA_PUBLIC_URL")
        parts = urlsplit(public_url)
        options["custom_domain"] = parts.netloc + parts.path
        options["url_protocol"] = f"{parts.scheme}:"
        options["querystring_auth"] = False
    return {"BACKEND": S3_STORAGE, "OPTIONS": options}


def media_origins(env: Mapping[str, str]) -> list[str]:
    """The origins avatar URLs point at, for the CSP's img-src; none when Booky serves them itself."""
    bucket = _value(env, "MEDIA_BUCKET")
    if not bucket:
        return []
    if public_url := _value(env, "MEDIA_PUBLIC_URL"):
        return [_origin(public_url, name="MEDIA_PUBLIC_URL")]
    if endpoint := _value(env, "MEDIA_ENDPOINT_URL"):
        return [_origin(endpoint, name="MEDIA_ENDPOINT_URL")]
    # AWS itself: boto3 signs virtual-hosted URLs on the global name; the regional one is listed too
    # in case a client is configured for it.
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if region := _value(env, "MEDIA_REGION"):
        origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return origins
