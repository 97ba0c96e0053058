from django.urls import path

from . import views
from .views import passwords

urlpatterns = [
    path("account/", views.account, name="account"),
    path("language/", views.language, name="language"),
    path("login/code/", views.code, name="code"),
    path("account/two-factor/enrol/", views.enrol, name="enrol"),
    path("account/two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("account/two-factor/disable/", views.disable, name="twofactor_disable"),
    path("account/sessions/end-others/", views.end_others, name="sessions_end_others"),
    path("account/sessions/<int:pk>/sign-out/", views.session_delete, name="usersession_delete"),
    path(
        "organisations/<int:pk>/two-factor/",
        views.organisation_twofactor,
        name="organisation_twofactor",
    ),
    path("account/password/", passwords.PasswordChange.as_view(), name="password_change"),
    path("account/password/reset/", passwords.PasswordReset.as_view(), name="password_reset"),
    path(
        "account/password/reset/sent/",
        passwords.PasswordResetDone.as_view(),
        name="password_reset_done",
    ),
    path(
        "account/password/reset/<uidb64>/<token>/",
        passwords.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/password/reset/done/",
        passwords.PasswordResetComplete.as_view(),
        name="password_reset_complete",
    ),
]
