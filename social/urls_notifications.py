"""The notifications pages, mounted at /notifications/."""

from django.urls import path

from social import notification_views as views

app_name = "notifications"
urlpatterns = [
    path("", views.notifications_page, name="list"),
    path("bell/", views.bell, name="bell"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("settings/", views.settings_page, name="settings"),
    path("unsubscribe/", views.unsubscribe, name="unsubscribe"),
]
