"""Password change and reset by e-mail: Django's own views, with the new password saved
through the service (audited without it; the other sessions signed out)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _

from concord.core.context import Actor, request_id

from .. import services
from ..sessions import client_ip


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "signin/password_change.html"
    success_url = reverse_lazy("signin:account")

    def form_valid(self, form):
        user = form.user
        services.set_password(
            user,
            form.cleaned_data["new_password1"],
            actor=Actor.from_request(self.request),
            how="change",
            keep_session_key=self.request.session.session_key,
        )
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Password changed. Your other sessions were signed out."))
        return redirect(self.get_success_url())


class ResetForm(PasswordResetForm):
    """The e-mail with the link is written in its recipient's language (their account's, or
    the platform's default), not in the language of whoever asked for it."""

    request = None

    def save(self, *args, **kwargs):
        self.request = kwargs.get("request")
        return super().save(*args, **kwargs)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        user = context.get("user")
        language = getattr(user, "language", "") or settings.LANGUAGE_CODE
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
        services.reset_link_sent(
            user, request_id=request_id(self.request), ip=client_ip(self.request)
        )


class PasswordReset(auth_views.PasswordResetView):
    """Sends a link to the address if an active account has it, and says the same whether
    or not one does."""

    template_name = "signin/password_reset.html"
    form_class = ResetForm
    email_template_name = "signin/password_reset_email.txt"
    subject_template_name = "signin/password_reset_subject.txt"
    success_url = reverse_lazy("signin:password_reset_done")


class PasswordResetDone(auth_views.PasswordResetDoneView):
    template_name = "signin/password_reset_done.html"


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "signin/password_reset_confirm.html"
    success_url = reverse_lazy("signin:password_reset_complete")

    def form_valid(self, form):
        user = form.user
        services.set_password(
            user,
            form.cleaned_data["new_password1"],
            actor=Actor(user=user, interface="web"),
            how="reset",
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return redirect(self.get_success_url())


class PasswordResetComplete(auth_views.PasswordResetCompleteView):
    template_name = "signin/password_reset_complete.html"
