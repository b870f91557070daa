"""How the OpenAPI schema (drf-spectacular) describes the API, beyond what each view declares.

The schema is checked against real responses (`make schemathesis`), so it must say what the API
does: the errors every operation can answer, optional keys, and URLs that may be empty. Those rules
hold for every view, so they live here once instead of in each `extend_schema`.
"""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import TokenAuthentication

from booky.core.api import ErrorSerializer

# What each error status means anywhere in this API; an operation's own description comes first.
ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `detail` says what is wrong, `errors` lists the messages per field.",
    "401": "Not signed in, or the access token is invalid or expired: refresh it (see the introduction).",
    "403": "Signed in, but your role does not allow this.",
    "404": "No such object, or one you may not see; for lists, a page number past the last page.",
    "409": "The request conflicts with the current state; `code` says how.",
    "428": "Say which version you are changing (If-Match or `version`).",
    "429": "Too many requests: wait a little and try again.",
}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """allauth's headless JWT access tokens, sent as `Authorization: Bearer <token>`."""

    target_class = "allauth.headless.contrib.rest_framework.authentication.JWTTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token from `POST /_allauth/app/v1/auth/login`, renewed with "
            "`POST /_allauth/app/v1/tokens/refresh` (see the introduction). Paste it without `Bearer `.",
        }


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._errors_every_such_operation_can_answer(operation):
            if code not in responses:
                responses[code] = self._get_response_for_code(OpenApiResponse(ErrorSerializer), code)
        for code, response in responses.items():
            if code in ERROR_DESCRIPTIONS and not response.get("description"):
                response["description"] = ERROR_DESCRIPTIONS[code]
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _errors_every_such_operation_can_answer(self, operation: dict) -> list[str]:
        codes = []
        parameters = {(parameter["in"], parameter["name"]) for parameter in operation.get("parameters", [])}
        if "requestBody" in operation:
            codes.append("400")  # a body that is not JSON, or not an object the serializer accepts
        # A bearer token that is invalid or expired is refused on every route, public reads too.
        if any(isinstance(auth, TokenAuthentication) for auth in self.view.get_authenticators()):
            codes.append("401")
        if any(location == "path" for location, _ in parameters) or ("query", "page") in parameters:
            codes.append("404")
        return codes

    def _map_basic_serializer(self, serializer, direction):
        serializer = force_instance(serializer)
        schema = super()._map_basic_serializer(serializer, direction)
        properties = schema.get("properties", {})
        optional = set()
        for name, field in serializer.fields.items():
            # drf-spectacular makes every read-only field required; a key sent only sometimes (e.g.
            # `hidden`, present only when true) says so with an explicit required=False.
            if field.read_only and field._kwargs.get("required") is False:
                optional.add(name)
            # A URL that may be blank (a model URLField(blank=True)) is "" when there is no link,
            # which is not a "uri". drf-spectacular says so for request bodies; responses too.
            if name in properties and _may_be_blank_url(serializer, field):
                prop = properties[name]
                if prop.get("format") == "uri":
                    del prop["format"], prop["type"]
                    prop["oneOf"] = [{"type": "string", "format": "uri"}, {"type": "string", "maxLength": 0}]
        if optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema


def _may_be_blank_url(serializer, field) -> bool:
    if not isinstance(field, serializers.URLField):
        return False
    if field.allow_blank:
        return True
    # ModelSerializer drops allow_blank from read-only fields: ask the model field.
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    if model is None or "." in field.source:
        return False
    try:
        return model._meta.get_field(field.source).blank
    except FieldDoesNotExist:
        return False
