"""The "Download my data" settings page: the export reads every app, so the site serves it, mounted into
social's namespace as `social:data_export` (booky/site/urls.py)."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from booky.site.data_export import SECTIONS, check_data_export_rate, data_export_response
from social.ratelimit import RateLimited


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def data_export_page(request):
    """GET explains what the download holds; POST downloads it, once a minute at most."""
    if request.method == "POST":
        try:
            check_data_export_rate(request.user)
        except RateLimited as error:
            context = {"sections": SECTIONS, "error": error.message}
            return TemplateResponse(request, "site/data_export.html", context, status=429)
        return data_export_response(request.user)
    return TemplateResponse(request, "site/data_export.html", {"sections": SECTIONS})
