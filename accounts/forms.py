"""The person's own settings form: the time zone pages show instants in."""

from django import forms

from accounts.models import Profile
from accounts.time_zones import zone_choices


class TimeZoneForm(forms.ModelForm):
    """The time zone, picked from every IANA zone; required here (blank is "not yet
    set", which only a new account has)."""

    class Meta:
        model = Profile
        fields = ["time_zone"]
        labels = {"time_zone": "Your time zone"}
        help_texts = {
            "time_zone": "Every date and time on the pages is shown in this zone, with its abbreviation; "
            "a legal deadline also shows in the zone of the court that governs it. The API and the JSON "
            "export stay in UTC."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        field.required = True
        field.error_messages["required"] = "Pick a time zone."
        choices = list(zone_choices())
        current = self.instance.time_zone
        if current and current not in dict(choices):  # a legacy alias stored earlier stays pickable
            choices.append((current, current))
        field.widget = forms.Select(choices=[("", "— pick a time zone —"), *choices])
