"""HTML forms for meetings. They validate input only; meetings/services.py does the writes."""

from datetime import date
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from books.forms import BookChoiceField
from booky.core.numbers import StrictIntegerField
from booky.core.validators import validate_visible_name
from meetings import plan
from meetings.models import MAX_DURATION_MINUTES, REVIEW_MAX_LENGTH, RSVP_ANSWERS, Meeting, validate_http_url

LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class MeetingForm(forms.Form):
    """Create or edit a meeting. `starts_at` is typed in the user's timezone and cleaned to an aware datetime."""

    book = BookChoiceField()
    title = forms.CharField(
        max_length=200,
        required=False,
        validators=[validate_visible_name],
        help_text="Leave it empty to use the book's title.",
    )
    starts_at = forms.DateTimeField(
        label="Starts",
        input_formats=LOCAL_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": "When does the meeting start?",
            "invalid": "Enter the date and time as YYYY-MM-DD HH:MM.",
        },
    )
    duration_minutes = StrictIntegerField(
        label="Duration (minutes)",
        initial=120,
        min_value=1,
        max_value=MAX_DURATION_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 15}),
        error_messages={
            "required": "How long is the meeting, in minutes?",
            "invalid": "Enter the duration in whole minutes, e.g. 90.",
            "min_value": "A meeting lasts at least 1 minute.",
            "max_value": "A meeting lasts at most 24 hours (1440 minutes).",
        },
    )
    place = forms.CharField(
        max_length=300,
        required=False,
        validators=[validate_visible_name],
        help_text="An address or a room. Give a place, an online link, or both.",
    )
    online_link = forms.URLField(
        label="Online link",
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=[validate_http_url],
        help_text="A video call link, starting with https://.",
        error_messages={"invalid": "Enter a full link, starting with https://."},
    )
    target_page = StrictIntegerField(
        label="Read up to page",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text="Leave it empty for the whole book.",
        error_messages={
            "invalid": "Enter a page number.",
            "min_value": "The target page must be at least 1.",
        },
    )
    description = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attendance_limit = StrictIntegerField(
        label="Attendance limit",
        required=False,
        min_value=1,
        max_value=10_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text="Leave it empty for no limit. Beyond it, “going” joins a waiting list; a place given up goes to the first on it.",
        error_messages={"invalid": "Enter a whole number of people.", "min_value": "At least 1 person."},
    )
    version = StrictIntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    field_order = [
        "book", "title", "starts_at", "duration_minutes", "place", "online_link", "target_page", "description",
        "attendance_limit",
    ]  # fmt: skip

    def __init__(self, *args, tz: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.fields["starts_at"].help_text = f"Your local time ({tz.key.replace('_', ' ')})."

    def full_clean(self):
        # The datetime-local value has no offset: read it in the user's timezone, not the server's.
        with timezone.override(self.tz):
            super().full_clean()

    def clean(self):
        return require_place_or_link(self, super().clean())

    @classmethod
    def initial_for(cls, meeting: Meeting, tz: ZoneInfo) -> dict:
        return {
            "book": meeting.book_id,
            "title": meeting.title,
            "starts_at": timezone.localtime(meeting.starts_at, tz).replace(tzinfo=None),
            "duration_minutes": meeting.duration_minutes,
            "place": meeting.place,
            "online_link": meeting.online_link,
            "target_page": meeting.target_page,
            "description": meeting.description,
            "attendance_limit": meeting.attendance_limit,
            "version": meeting.version,
        }

    def service_arguments(self) -> dict:
        values = dict(self.cleaned_data)
        for name in ("version", "repeat", "apply_to"):
            values.pop(name, None)
        return values


class ProgressForm(forms.Form):
    """My page, or a percent of my own copy of the book, for another edition (it wins when given); the
    "finished" button sends finished=1."""

    current_page = StrictIntegerField(
        label="Page I am on",
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": "Enter a page number.", "min_value": "The page cannot be negative."},
    )
    percent = StrictIntegerField(
        label="or percent of my book",
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter a percentage from 0 to 100.",
            "min_value": "Enter a percentage from 0 to 100.",
            "max_value": "Enter a percentage from 0 to 100.",
        },
    )
    finished = forms.BooleanField(required=False)
    version = StrictIntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, target_page: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.target_page = target_page
        self.fields["current_page"].max_value = target_page
        self.fields["current_page"].widget.attrs["max"] = target_page
        self.fields["current_page"].help_text = f"0 to {target_page}."
        self.fields["percent"].widget.attrs.update(min=0, max=100)
        self.fields["percent"].help_text = "0 to 100, for an edition with other page numbers."

    def clean_current_page(self):
        page = self.cleaned_data["current_page"]
        if page is not None and page > self.target_page:
            raise ValidationError(f"The page must be between 0 and the target page {self.target_page}.")
        return page

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("finished") or self.errors:
            return cleaned
        page, percent = cleaned.get("current_page"), cleaned.get("percent")
        if page is None and percent is None:
            raise ValidationError("Give the page you are on, or a percentage, or mark the book finished.")
        return cleaned

    def service_arguments(self) -> dict:
        if self.cleaned_data.get("finished"):
            return {"finished": True}
        if self.cleaned_data.get("percent") is not None:
            # The page field comes prefilled with the saved page; a typed percent is the newer intent.
            return {"own_edition_percent": self.cleaned_data["percent"]}
        return {"current_page": self.cleaned_data["current_page"]}


class RsvpForm(forms.Form):
    rsvp = forms.ChoiceField(
        choices=RSVP_ANSWERS, error_messages={"invalid_choice": "Choose going, maybe or not going."}
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Members see this on the meeting page.",
        error_messages={"max_length": "Keep the reason under 500 characters."},
    )


class ScheduleWinnerForm(forms.Form):
    """The one step from a poll's winner to a meeting: when and where (the rest can be edited later)."""

    starts_at = MeetingForm.base_fields["starts_at"]
    duration_minutes = MeetingForm.base_fields["duration_minutes"]
    place = MeetingForm.base_fields["place"]
    online_link = MeetingForm.base_fields["online_link"]

    def __init__(self, *args, tz: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.fields["starts_at"].help_text = f"Your local time ({tz.key.replace('_', ' ')})."
        self.fields["duration_minutes"].initial = 120

    def full_clean(self):
        with timezone.override(self.tz):
            super().full_clean()

    def clean(self):
        return require_place_or_link(self, super().clean())


def require_place_or_link(form, cleaned: dict) -> dict:
    no_place = not (cleaned.get("place") or "").strip() and not (cleaned.get("online_link") or "").strip()
    if no_place and "place" not in form.errors and "online_link" not in form.errors:
        form.add_error("place", "Give a place, an online link, or both.")
    return cleaned


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Your rating",
        coerce=int,
        choices=[(n, f"{n} star{'s' if n > 1 else ''}") for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose 1 to 5 stars.", "invalid_choice": "Choose 1 to 5 stars."},
    )
    review = forms.CharField(
        label="A few words for the club",
        required=False,
        max_length=REVIEW_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Optional; up to {REVIEW_MAX_LENGTH} characters. Only the club's members read it.",
    )


class AnnouncementForm(forms.Form):
    message = forms.CharField(
        label="Announcement",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Up to 500 characters. Everyone going gets it in the app, and by email if they allow it.",
        error_messages={"required": "Write the announcement."},
    )


class PlanForm(forms.Form):
    """The reading plan typed as lines "page, date[, label]": works without JavaScript, pastes from a
    spreadsheet. Each line becomes a plan.Milestone; the service checks the plan as a whole."""

    milestones = forms.CharField(
        label="Milestones",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": "120, 2026-12-12, Chapters 1–7\n240, 2026-12-19"}
        ),
        help_text="One per line: the page, the date (YYYY-MM-DD) and, if you like, a chapter name. Leave it "
        "empty to have no plan.",
        max_length=5000,
    )

    @classmethod
    def initial_for(cls, milestones) -> dict:
        lines = [", ".join(filter(None, (str(m.page), m.due.isoformat(), m.label))) for m in milestones]
        return {"milestones": "\n".join(lines)}

    def clean_milestones(self):
        milestones, errors = [], []
        for number, line in enumerate((self.cleaned_data["milestones"] or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(",", 2)]
            if len(parts) < 2 or not parts[0].isascii() or not parts[0].isdigit():
                errors.append(f"Line {number}: write the page, then the date, e.g. “120, 2026-12-12”.")
                continue
            try:
                due = date.fromisoformat(parts[1])
            except ValueError:
                errors.append(f"Line {number}: “{parts[1][:20]}” is not a date like 2026-12-12.")
                continue
            milestones.append(
                plan.Milestone(page=int(parts[0]), due=due, label=parts[2] if len(parts) > 2 else "")
            )
        if errors:
            raise ValidationError(errors)
        return milestones


REPEAT_FORM_CHOICES = [
    ("", "Does not repeat"),
    ("weekly", "Every week"),
    ("fortnightly", "Every two weeks"),
    ("monthly", "Every month, on the same weekday (e.g. the 2nd Tuesday)"),
]


class NewMeetingForm(MeetingForm):
    """Scheduling a meeting can make it the first of a series."""

    repeat = forms.ChoiceField(
        label="Repeat",
        choices=REPEAT_FORM_CHOICES,
        required=False,
        help_text="Each next meeting is created when the previous one has taken place (or two weeks ahead), "
        "with its own book, race and bets; daylight-saving changes keep the local time.",
    )


class SeriesMeetingForm(MeetingForm):
    """Editing a meeting of a series: this one, or this and the following."""

    apply_to = forms.ChoiceField(
        label="Change",
        choices=[("this", "This meeting only"), ("series", "This and the following meetings")],
        initial="this",
        widget=forms.RadioSelect,
        help_text="The following meetings take this one's weekday, time, length and place.",
    )
