from django import forms

from meetings.discussion.models import (
    MODERATION_REASON_MAX_LENGTH,
    POST_BODY_MAX_LENGTH,
    REPORT_REASON_MAX_LENGTH,
    ReactionKind,
)

MARKDOWN_HELP = (
    "Up to 5,000 characters. *emphasis*, **strong**, > quotes, - lists and [links](https://…) work."
)
# Which field shows a service's error (the rest go on top of the form).
ERROR_FIELDS = {
    "empty_body": "body",
    "body_too_long": "body",
    "invalid_body": "body",
    "invalid_spoiler_page": "spoiler_page",
    "spoiler_above_progress": "spoiler_page",
    "mention_blocked": "body",
}


class PostForm(forms.Form):
    body = forms.CharField(
        label="Your post",
        max_length=POST_BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=MARKDOWN_HELP,
    )
    spoiler_page = forms.IntegerField(
        label="About page",
        min_value=0,
        max_value=2_147_483_647,
        required=False,
        help_text="Readers below this page see a placeholder instead of your text, until the meeting starts.",
    )

    def __init__(self, *args, reader_page: int = 0, ceiling: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["spoiler_page"].initial = reader_page
        if ceiling is not None:
            self.fields["spoiler_page"].widget.attrs["max"] = ceiling


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply", max_length=POST_BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class EditPostForm(PostForm):
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=2_147_483_647
    )


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=ReactionKind.choices)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=REPORT_REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class ModerationForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("hide", "Hide: members see the reason instead of the text"),
            ("remove", "Remove: gone from the thread"),
            ("restore", "Restore a hidden post"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason (the author and the members read it)",
        max_length=MODERATION_REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def add_service_error(form, error) -> None:
    field = ERROR_FIELDS.get(error.code)
    form.add_error(field if field in form.fields else None, error.message)
