from django.shortcuts import render
from django.urls import path

from bench.floor.models import Item


def item_list(request):
    """The floor's page: one indexed query of 20 rows, rendered in a list template."""
    return render(request, "floor/list.html", {"items": Item.objects.order_by("rank")[:20]})


urlpatterns = [path("", item_list)]
