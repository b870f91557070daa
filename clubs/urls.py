"""The clubs' own pages. The club page itself (`clubs:detail`) shows the club's meetings too, so it
lives in booky/site/views/club_page.py and booky/site/urls.py mounts it into this namespace."""

from django.urls import path

from clubs.views import directory, invite_links, manage, members, membership, polls, requests

app_name = "clubs"
urlpatterns = [
    path("", directory.directory, name="directory"),
    path("mine/", directory.mine, name="mine"),
    path("new/", manage.create, name="create"),
    path("<slug:slug>/edit/", manage.edit, name="edit"),
    path("<slug:slug>/reminders/", manage.reminders, name="reminders"),
    path("<slug:slug>/delete/", manage.delete, name="delete"),
    path("<slug:slug>/join/", membership.join, name="join"),
    path("<slug:slug>/leave/", membership.leave, name="leave"),
    path("<slug:slug>/request/cancel/", membership.cancel_request, name="cancel_request"),
    path("<slug:slug>/members/", members.members, name="members"),
    path("<slug:slug>/members/<int:pk>/role/", members.member_set_role, name="member_role"),
    path("<slug:slug>/members/<int:pk>/remove/", members.member_remove, name="member_remove"),
    path("<slug:slug>/members/<int:pk>/transfer/", members.member_transfer, name="member_transfer"),
    path("<slug:slug>/requests/", requests.join_requests, name="requests"),
    path("<slug:slug>/requests/<int:pk>/approve/", requests.request_approve, name="request_approve"),
    path("<slug:slug>/requests/<int:pk>/decline/", requests.request_decline, name="request_decline"),
    path("<slug:slug>/polls/", polls.poll_list, name="polls"),
    path("<slug:slug>/polls/new/", polls.poll_create, name="poll_create"),
    path("<slug:slug>/polls/<int:pk>/nominate/", polls.nominate, name="poll_nominate"),
    path(
        "<slug:slug>/polls/<int:pk>/nominations/<int:nomination_pk>/withdraw/",
        polls.withdraw,
        name="poll_withdraw",
    ),
    path("<slug:slug>/polls/<int:pk>/vote/", polls.vote, name="poll_vote"),
    path("<slug:slug>/invite/", invite_links.invite_link, name="invite_link"),
    path("<slug:slug>/invite/reset/", invite_links.invite_reset, name="invite_reset"),
    # After the club patterns: a club whose slug is "join" keeps its pages, and invite codes are
    # 16 characters, so they never collide with "edit", "members" and the like.
    path("join/<str:code>/", invite_links.invite, name="invite"),
]
