"""Whole numbers read from people and clients: ASCII digits only.

Python's int() reads "٥" (Arabic-Indic five) and "５" (fullwidth five) as 5, and Django's and DRF's
integer fields call int(); an amount, a page or an id typed in another script would then be taken
for a different-looking number. These fields and helpers refuse them as not a number.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from django.db import models
from rest_framework import serializers

# Django's and DRF's fields also take "12.0"; keep that, but only with ASCII digits.
_ASCII_INTEGER = re.compile(r"\s*[+-]?[0-9]+(?:\.0*)?\s*", re.ASCII)


def is_ascii_integer(value) -> bool:
    return isinstance(value, int) or (isinstance(value, str) and bool(_ASCII_INTEGER.fullmatch(value)))


class StrictIntegerField(forms.IntegerField):
    """forms.IntegerField for ASCII digits only."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not is_ascii_integer(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class StrictIntegerApiField(serializers.IntegerField):
    """serializers.IntegerField for ASCII digits only (JSON numbers pass as before)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not is_ascii_integer(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id given as a string must be ASCII digits; "٥" is not book 5."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not is_ascii_integer(data):
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose generated integer and foreign-key fields read ASCII digits only."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.IntegerField: StrictIntegerApiField,
        models.BigIntegerField: StrictIntegerApiField,
        models.SmallIntegerField: StrictIntegerApiField,
        models.PositiveIntegerField: StrictIntegerApiField,
        models.PositiveSmallIntegerField: StrictIntegerApiField,
        models.PositiveBigIntegerField: StrictIntegerApiField,
    }
    serializer_related_field = StrictPrimaryKeyRelatedField


class Paginator(DjangoPaginator):
    """Django's Paginator; get_page("٥") shows the first page, as for any other page that is not a number."""

    def validate_number(self, number):
        if isinstance(number, str) and not is_ascii_integer(number):
            raise PageNotAnInteger("That page number is not a whole number.")
        return super().validate_number(number)
