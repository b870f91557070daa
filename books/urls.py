from django.urls import path

from books import views
from books.shelves import urls as shelf_urls

# A book's page (books:detail) also lists the meetings about it: booky.site mounts it into this
# namespace (booky/site/urls.py).
app_name = "books"
urlpatterns = [
    path("", views.search, name="search"),
    path("search/google/", views.search_google, name="search_google"),
    path("new/", views.create, name="create"),
    path("picker/", views.picker, name="picker"),
    path("picker/choose/", views.picker_choose, name="picker_choose"),
    path("google/<str:volume_id>/", views.google_open, name="google"),
    path("openlibrary/<str:work_key>/", views.open_library_open, name="open_library"),
    *shelf_urls.urlpatterns,
]
