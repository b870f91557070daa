"""Profile pictures: uploads decoded and re-encoded with Pillow, and the initials shown otherwise.

An upload is trusted only after Pillow has decoded every pixel of it; what is stored is a fresh WebP
encoding of those pixels (no metadata, no trailing bytes), cropped square and resized to `SIZE`.
"""

import hashlib
import io
import warnings

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from booky.core.errors import DomainError

MAX_BYTES = 2 * 1024 * 1024
# A 256 px avatar needs no more; larger phone photos are refused with a clear message. Checked from the
# header before any pixel is decoded, so a decompression bomb never reaches load().
MAX_PIXELS = 16_000_000
SIZE = 256
ALLOWED_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "GIF": "GIF", "WEBP": "WebP"}

# Background colours for the initials avatar; white text on each passes WCAG AA (4.5:1).
PALETTE = ["#1d4ed8", "#047857", "#b91c1c", "#7e22ce", "#a16207", "#0e7490", "#be185d", "#4d7c0f"]


class AvatarRejected(DomainError):
    code = "invalid_avatar"


def _check_header(image: Image.Image, not_an_image: AvatarRejected) -> None:
    """Refuse from the header alone (format and size), before a pixel is decompressed."""
    if image.format not in ALLOWED_FORMATS:
        raise not_an_image
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise AvatarRejected(
            f"This picture is {width} × {height} pixels; the limit is {MAX_PIXELS // 1_000_000} "
            "megapixels. Make it smaller and try again.",
            code="avatar_too_large",
        )


def _decode(data: bytes) -> Image.Image:
    """The fully decoded first frame of `data`, or AvatarRejected."""
    not_an_image = AvatarRejected(
        "This file is not a picture we can read. Upload a PNG, JPEG, GIF or WebP image."
    )
    # Our own limit is checked per call from the header (below); Pillow's process-wide
    # Image.MAX_IMAGE_PIXELS stays as it is, and its bomb warning counts as a refusal here too.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                _check_header(probe, not_an_image)
                probe.verify()
            # verify() leaves the image unusable; decoding needs a fresh one, checked again before load().
            image = Image.open(io.BytesIO(data))
            _check_header(image, not_an_image)
            image.load()
        except AvatarRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise AvatarRejected(
                f"This picture has too many pixels: the limit is {MAX_PIXELS // 1_000_000} megapixels. "
                "Make it smaller and try again.",
                code="avatar_too_large",
            ) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, TypeError) as error:
            raise not_an_image from error
    return image


def process_upload(upload) -> ContentFile:
    """The upload as a 256 × 256 WebP without metadata, or AvatarRejected with a message to show."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise AvatarRejected(
            f"This file is {size / 1024 / 1024:.1f} MB; pictures can be at most 2 MB.", code="avatar_too_big"
        )
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise AvatarRejected("This file is over 2 MB; pictures can be at most 2 MB.", code="avatar_too_big")
    if not data:
        raise AvatarRejected("This file is empty. Choose a picture to upload.", code="invalid_avatar")
    image = _decode(data)
    try:
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB")
        image = ImageOps.fit(image, (SIZE, SIZE), method=Image.Resampling.LANCZOS)
        output = io.BytesIO()
        image.save(output, format="WEBP", quality=85, method=4)
    except (OSError, ValueError) as error:
        raise AvatarRejected("This picture could not be converted. Try another one.") from error
    return ContentFile(output.getvalue(), name="avatar.webp")


def initials(name: str) -> str:
    """One or two letters standing for a name: "Ada Lovelace" → "AL", "bookworm" → "B"."""
    words = [word for word in (name or "").replace("_", " ").replace(".", " ").split() if word[0].isalnum()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][0].upper()
    return (words[0][0] + words[-1][0]).upper()


def color_for(key: str) -> str:
    """A stable background colour for a person (the same username always gets the same one)."""
    digest = hashlib.sha256((key or "").lower().encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def avatar_url(request, user) -> str | None:
    """The absolute URL of the member's picture for the API (relative without a request); None when
    they have none."""
    if not user.avatar:
        return None
    url = user.avatar.url
    return request.build_absolute_uri(url) if request is not None else url
