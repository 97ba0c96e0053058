from django.urls import path

from . import views

urlpatterns = [
    path("administration/", views.index, name="index"),
    path("administration/users/<int:pk>/", views.user_manage, name="user_manage"),
    path("administration/invitations/new/", views.invite, name="invite"),
    path(
        "administration/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("administration/merge/", views.merge_organisations, name="merge"),
    path("administration/merges/<int:seq>/undo/", views.merge_undo, name="merge_undo"),
    path("administration/tokens/", views.token_list, name="token_list"),
    path("administration/tokens/<int:pk>/revoke/", views.token_revoke, name="apitoken_revoke"),
    path("administration/spaces/", views.space_list, name="space_list"),
    path("administration/spaces/<int:pk>/", views.space_detail, name="space_detail"),
    path("members/", views.members, name="members"),
    path("invitations/<str:key>/", views.invitation_accept, name="invitation_accept"),
]
