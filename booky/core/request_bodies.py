"""Request bodies that no view could read correctly are refused with 400 before any view runs.

- JSON nested deeper than MAX_JSON_DEPTH: Python's json parser raises RecursionError on it (not a
  ValueError), which DRF's parser and allauth's headless views do not catch, so it was a 500. No Booky
  or allauth body nests more than a few levels.
- Form bodies (urlencoded and multipart) that are not valid in their charset: Django would silently
  turn the bad bytes into U+FFFD and save that; a client sending them is broken and should hear so.
"""

import codecs
import re
from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParser

MAX_JSON_DEPTH = 64
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MULTIPART_CONTENT_TYPE = "multipart/form-data"
NOT_UTF8_MESSAGE = "The form data is not valid UTF-8 text."
TOO_DEEP_MESSAGE = f"The JSON body is nested too deeply (at most {MAX_JSON_DEPTH} levels)."

# A JSON string, unrolled so that it runs in linear time even when the closing quote is missing.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")
_STRICT_UTF8 = "booky-strict-utf-8"


def json_nesting_depth(body: bytes, *, stop_after: int = MAX_JSON_DEPTH) -> int:
    """How deeply `body` nests arrays and objects (brackets inside strings do not count); counting
    stops once it passes `stop_after`, so a hostile body costs no more than a normal one."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", body)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > stop_after:
                break
        else:
            depth -= 1
    return deepest


class MalformedBody(BadRequest):
    """Answered with the site's 400 page, which shows this message."""


def _form_body_decodes(body: bytes) -> bool:
    # Django itself refuses urlencoded bodies that declare a charset other than UTF-8.
    for pair in body.split(b"&"):
        for part in pair.split(b"=", 1):
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                return False
    return True


def _strict_utf8_decode(data, errors="strict"):
    # Django asks multipart fields to decode with errors="replace"; this codec ignores that wish.
    try:
        return codecs.utf_8_decode(data, "strict", True)
    except UnicodeDecodeError as error:
        raise MalformedBody(NOT_UTF8_MESSAGE) from error


def _find_strict_utf8(name: str):
    if name != _STRICT_UTF8.replace("-", "_"):
        return None
    return codecs.CodecInfo(name=_STRICT_UTF8, encode=codecs.utf_8_encode, decode=_strict_utf8_decode)


codecs.register(_find_strict_utf8)


class StrictMultiPartParser(MultiPartParser):
    """Django's multipart parser, except that a field (or file name) that is not valid UTF-8 raises
    MalformedBody (answered 400) instead of being stored with replacement characters."""

    def __init__(self, META, input_data, upload_handlers, encoding=None):
        super().__init__(META, input_data, upload_handlers, encoding)
        if codecs.lookup(self._encoding).name == "utf-8":
            self._encoding = _STRICT_UTF8


def _wants_json(request) -> bool:
    return (
        request.path.startswith(("/api/", "/_allauth/"))
        or "json" in request.content_type
        or "application/json" in request.headers.get("Accept", "")
    )


def _refuse(request, message: str, code: str):
    if _wants_json(request):
        return JsonResponse({"detail": message, "code": code}, status=400)
    raise MalformedBody(message)


class RejectMalformedBodiesMiddleware:
    """Answer 400 for a JSON body nested too deeply or a form body that is not valid text."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS") or not request.META.get("CONTENT_LENGTH"):
            return self.get_response(request)
        content_type = request.content_type or ""
        if content_type == MULTIPART_CONTENT_TYPE:
            # Parsed lazily (files can be large); the parser raises MalformedBody on a bad field.
            request.multipart_parser_class = StrictMultiPartParser
        else:
            if content_type == FORM_CONTENT_TYPE and not _form_body_decodes(request.body):
                return _refuse(request, NOT_UTF8_MESSAGE, "invalid_encoding")
            # Whatever the content type: allauth's headless views parse every body as JSON.
            if json_nesting_depth(request.body) > MAX_JSON_DEPTH:
                return _refuse(request, TOO_DEEP_MESSAGE, "parse_error")
        return self.get_response(request)
