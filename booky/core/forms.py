"""Form helpers every app's pages share."""

from django.core.exceptions import ValidationError


def add_validation_error(form, error: ValidationError) -> None:
    """A model's ValidationError (from full_clean in a service) shown on the form: next to the field
    it names when the form has that field, above the form otherwise."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)
