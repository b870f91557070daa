"""Shared pieces of the moderators' admin."""

from django.contrib import messages

from booky.core.errors import DomainError


def run_for_each(modeladmin, request, rows, apply, done: str) -> None:
    """Call `apply(row)` for every row (a service call); say how many succeeded and why any were refused."""
    succeeded = 0
    for row in rows:
        try:
            apply(row)
        except DomainError as error:
            modeladmin.message_user(request, f"{row}: {error.message}", messages.WARNING)
        else:
            succeeded += 1
    if succeeded:
        modeladmin.message_user(request, f"{done}: {succeeded}.", messages.SUCCESS)
