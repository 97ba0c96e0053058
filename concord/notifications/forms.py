from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Frequency


class DigestForm(forms.Form):
    frequency = forms.ChoiceField(
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        label=_("E-mail me about changes to what I follow"),
    )
