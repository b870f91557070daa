from django.urls import path

from books import views

app_name = "books"
urlpatterns = [
    path("", views.search, name="search"),
    path("search/google/", views.search_google, name="search_google"),
    path("new/", views.create, name="create"),
    path("picker/", views.picker, name="picker"),
    path("picker/choose/", views.picker_choose, name="picker_choose"),
    path("google/<str:volume_id>/", views.google_open, name="google"),
    path("<int:pk>/", views.detail, name="detail"),
]
