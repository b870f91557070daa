"""The API's request parsers (their own module: DRF's settings import them while booky.core.api loads)."""

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, also for bodies nested so deeply that Python's parser gives up with a
    RecursionError (not a ValueError, so DRF would let it become a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError("JSON parse error - the body is nested too deeply.") from error
