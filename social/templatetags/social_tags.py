"""`{% avatar person size %}`: the member's picture, or their initials on a coloured disc (SVG).

Only what the viewer may see: a member whose profile is hidden from the viewer (the row's
`profile_visible` annotation is False) shows the initials of their username, never their picture
or display name.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from social.avatars import color_for, initials
from social.permissions import name_as_listed

register = template.Library()


@register.inclusion_tag("social/_avatar.html")
def avatar(person, size=48, visible=None):
    if visible is None:
        visible = getattr(person, "profile_visible", True)
    name = person.name if visible else person.username
    return {
        "url": person.avatar.url if visible and person.avatar else "",
        "label": f"{name}'s picture" if visible and person.avatar else name,
        "initials": initials(name),
        "color": color_for(person.username),
        "size": size,
    }


@register.filter
def shown_name(person) -> str:
    """The display name when the viewer may see the profile, "@username" otherwise.

    Reads `profile_visible`, set by social.permissions.mark_profile_visibility (on club lists,
    clubs.visibility's) or the social.selectors annotations; a person without it is shown as usual."""
    return name_as_listed(person)


@register.filter
def profile_link(person):
    """The shown name, linked to the member's profile when the viewer may open it.

    Reads `profile_linkable`, set by social.permissions.mark_profile_linkable; without it the name stays
    plain text (a link to a profile the viewer may not open would be a 404)."""
    name = name_as_listed(person)
    if not getattr(person, "profile_linkable", False):
        return name
    return format_html('<a href="{}">{}</a>', reverse("people:profile", args=[person.username]), name)
