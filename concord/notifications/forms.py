from django import forms

from .models import Frequency


class DigestForm(forms.Form):
    frequency = forms.ChoiceField(
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        label="E-mail me about changes to what I follow",
    )
