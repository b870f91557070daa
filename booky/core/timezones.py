"""Pages run, and render, in the viewer's time zone; the API keeps answering in UTC.

One middleware instead of a decorator on each view, so no app has to import another app's views to
get local times, and a new page cannot forget it.
"""

import zoneinfo

from django.utils import timezone

from booky.core import outages

UTC = zoneinfo.ZoneInfo("UTC")


def viewer_timezone(user) -> zoneinfo.ZoneInfo:
    """The user's chosen zone; UTC for visitors, for an empty choice and for a name tzdata no longer knows."""
    name = getattr(user, "timezone", "") if user is not None and user.is_authenticated else ""
    if not name:
        return UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


class ViewerTimezoneMiddleware:
    """Activate the viewer's zone for the view and its template rendering (TemplateResponses are
    rendered inside get_response). API responses stay in UTC: their datetimes are data, not display.

    The zone is chosen in process_view, where the view's own first read of request.user used to be:
    a database outage while loading the session is then handled like any view's (a 503), not raised
    through the other middleware. Goes after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        try:
            zone = viewer_timezone(getattr(request, "user", None))
        except outages.DATABASE_UNAVAILABLE as error:
            # Django does not hand process_view's exceptions to process_exception: answer as it would.
            outages.log_unavailable(request, error)
            return outages.service_unavailable(request)
        timezone.activate(zone)
        return None
