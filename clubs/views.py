from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from clubs.models import Club


def directory(request):
    return TemplateResponse(request, "clubs/directory.html", {})


def mine(request):
    return TemplateResponse(request, "clubs/directory.html", {})


def create(request):
    return TemplateResponse(request, "clubs/directory.html", {})


def detail(request, slug):
    club = get_object_or_404(Club.objects.visible_to(request.user), slug=slug)
    return TemplateResponse(request, "clubs/directory.html", {"club": club})
