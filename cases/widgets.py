"""Form widgets that write their HTML in Python.

Django draws a <select> through a template per option (an include for each option's
attributes): the case list's filter form, redrawn on every page and every filter
change, spent more time drawing its ~80 options than reading its cases. `QuickSelect`
writes the same markup Django's `select.html`/`select_option.html` do, from the same
context (`get_context`), escaping every label, value and attribute."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _option(option: dict) -> str:
    attrs = option["attrs"]
    extra = " selected" if attrs == {"selected": True} else flatatt(attrs) if attrs else ""
    value, label = conditional_escape(str(option["value"])), conditional_escape(option["label"])
    return f'<option value="{value}"{extra}>{label}</option>'


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            inner = "".join(_option(o) for o in options)
            parts.append(
                f'<optgroup label="{conditional_escape(group_name)}">{inner}</optgroup>' if group_name else inner
            )
        html = (
            f'<select name="{conditional_escape(widget["name"])}"{flatatt(widget["attrs"])}>{"".join(parts)}</select>'
        )
        return mark_safe(html)  # noqa: S308 - every value, label and attribute above is escaped
