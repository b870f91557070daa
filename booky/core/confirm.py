"""The page that asks "Unfriend Bruno? [Unfriend] [Cancel]" before a destructive action.

With JavaScript, htmx asks in a dialog (`data-hx-confirm`) and posts. Without it, the action's form is a
GET form that lands on this page; only its POST form does the deed, so a prefetching browser or a link
checker following the GET changes nothing. Every view serving this page checks the same rule as the
action it confirms, before showing it.
"""

from dataclasses import dataclass, field

from django.template.response import TemplateResponse


@dataclass(frozen=True)
class Confirmation:
    question: str  # the page's heading and title: "Unfriend Bruno?"
    action_url: str  # where the confirming POST goes
    button: str  # "Unfriend"
    cancel_url: str
    detail: str = ""  # what the action does and undoes
    fields: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # hidden inputs to post along
    button_class: str = "danger"
    # Shown instead of the button when the action can no longer be done (not friends any more).
    problem: str = ""


def confirm_page(request, confirmation: Confirmation, *, status: int | None = None) -> TemplateResponse:
    """The confirmation page; 409 when it can only say why the action cannot be done."""
    if status is None:
        status = 409 if confirmation.problem else 200
    return TemplateResponse(request, "booky/confirm.html", {"confirmation": confirmation}, status=status)
