from django.urls import path

from clubs import views

app_name = "clubs"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("<slug:slug>/", views.detail, name="detail"),
]
