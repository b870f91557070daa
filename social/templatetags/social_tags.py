"""`{% avatar person size %}`: the member's picture, or their initials on a coloured disc (SVG).

Only what the viewer may see: a member whose profile is hidden from the viewer (the row's
`profile_visible` annotation is False) shows the initials of their username, never their picture
or display name.
"""

from django import template

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
