from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "concord.signin"
    label = "signin"
    verbose_name = "Sign-in"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from . import sessions

        user_logged_out.connect(sessions.forget_on_logout, dispatch_uid="signin-forget-session")
