"""gzip for text answers only: Django's GZipMiddleware, minus the bodies that are compressed already.

Django's middleware compresses every answer of 200 bytes or more, and every streaming one. Avatars
(WebP, served by Django's static view as a streaming file) would be gzipped for nothing and lose their
Content-Length; so only text-like types (HTML, JSON, calendars, SVG...) are compressed here. Static
files never reach this: WhiteNoise, before it, serves its precompressed .gz (and .br) variants.
"""

from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "image/svg+xml",
)


class TextGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").lower()
        if not content_type.startswith(COMPRESSIBLE_TYPES) and "+json" not in content_type:
            return response
        return super().process_response(request, response)
