from django import forms


class SignOffForm(forms.Form):
    """Counsel signs off the analysis they reviewed; a newer one must be reviewed first."""

    analysis = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Sign-off note",
        help_text="What you checked and why the answer stands.",
    )
