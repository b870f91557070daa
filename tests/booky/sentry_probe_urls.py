"""Booky's URLs plus one failing view, for the error-report test's subprocess."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from booky import urls as booky_urls
from booky.urls import handler400, handler403, handler404, handler500  # noqa: F401 - Django reads them here


@csrf_exempt  # the probe posts without a CSRF token: the failure, not a 403, is what it tests
def fail(request):
    raise ValueError("probe failure from the error-report test")


urlpatterns = [path("boom/", fail), *booky_urls.urlpatterns]
