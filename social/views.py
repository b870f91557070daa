from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse


@login_required
def settings_page(request):
    return TemplateResponse(request, "social/settings.html", {})
