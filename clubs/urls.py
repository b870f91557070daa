from django.urls import path

from clubs import views

app_name = "clubs"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/delete/", views.delete, name="delete"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/request/cancel/", views.cancel_request, name="cancel_request"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/members/<int:pk>/role/", views.member_set_role, name="member_role"),
    path("<slug:slug>/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("<slug:slug>/members/<int:pk>/transfer/", views.member_transfer, name="member_transfer"),
    path("<slug:slug>/requests/", views.join_requests, name="requests"),
    path("<slug:slug>/requests/<int:pk>/approve/", views.request_approve, name="request_approve"),
    path("<slug:slug>/requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
    path("<slug:slug>/invite/", views.invite_link, name="invite_link"),
    path("<slug:slug>/invite/reset/", views.invite_reset, name="invite_reset"),
    # After the club patterns: a club whose slug is "join" keeps its pages, and invite codes are
    # 16 characters, so they never collide with "edit", "members" and the like.
    path("join/<str:code>/", views.invite, name="invite"),
]
