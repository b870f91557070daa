"""The shelves' URLs, included by books/urls.py under /books/shelves/ and /books/<id>/shelf/."""

from django.urls import path

from books.shelves import views

urlpatterns = [
    path("shelves/", views.my_shelves, name="my_shelves"),
    path("shelves/import/", views.import_page, name="import"),
    path("shelves/import/<int:pk>/", views.import_status, name="import_status"),
    path("shelves/check/<int:pk>/", views.check_decide, name="import_check"),
    path("shelves/entries/<int:pk>/edit/", views.entry_edit, name="shelf_entry_edit"),
    path("shelves/<str:username>/", views.shelves_page, name="shelves"),
    path("<int:pk>/shelf/", views.shelf_put, name="shelf_put"),
    path("<int:pk>/shelf/remove/", views.shelf_remove, name="shelf_remove"),
]
