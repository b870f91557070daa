"""Following a destructive action's buttons as a browser without JavaScript does: the action's form is
a GET that lands on its confirmation page (booky/core/confirm.py), whose POST form does the deed."""

import re
from dataclasses import dataclass
from html import unescape

FORM = re.compile(
    r'<form method="(?P<method>get|post)" action="(?P<action>[^"]*)"(?P<attributes>[^>]*)>(?P<body>.*?)</form>',
    re.S,
)
HIDDEN = re.compile(r'<input type="hidden" name="(?P<name>[^"]+)" value="(?P<value>[^"]*)">')
HEADING = re.compile(r"<h1>(?P<text>.*?)</h1>", re.S)
CANCEL = re.compile(r'<a href="(?P<href>[^"]*)" role="button" class="secondary outline" id="confirm-cancel">')
BUTTON = re.compile(r'<button type="submit"[^>]*id="confirm-action">(?P<text>.*?)</button>', re.S)


@dataclass(frozen=True)
class Form:
    method: str
    action: str
    fields: dict[str, str]
    attributes: str  # the rest of the <form> tag: data-hx-post, data-hx-confirm...


def _fields(body: str) -> dict[str, str]:
    return {
        unescape(hidden["name"]): unescape(hidden["value"])
        for hidden in HIDDEN.finditer(body)
        if hidden["name"] != "csrfmiddlewaretoken"
    }


def form_with_button(html: str, label: str) -> Form:
    """The form whose submit button's text starts with `label`."""
    for form in FORM.finditer(html):
        if re.search(r"<button[^>]*>\s*" + re.escape(label), form["body"]):
            return Form(form["method"], unescape(form["action"]), _fields(form["body"]), form["attributes"])
    raise AssertionError(f"No form with a {label!r} button")


@dataclass(frozen=True)
class Confirmation:
    question: str
    button: str
    action: str
    fields: dict[str, str]
    cancel_url: str


def confirmation(response) -> Confirmation:
    """What a confirmation page asks, where its button posts (with which fields) and where Cancel goes."""
    html = response.content.decode()
    [post] = [
        form for form in FORM.finditer(html) if form["method"] == "post" and "confirm-action" in form["body"]
    ]
    return Confirmation(
        question=unescape(HEADING.search(html)["text"].strip()),
        button=unescape(BUTTON.search(post["body"])["text"].strip()),
        action=unescape(post["action"]),
        fields=_fields(post["body"]),
        cancel_url=unescape(CANCEL.search(html)["href"]),
    )
