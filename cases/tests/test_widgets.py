"""`QuickSelect` writes what Django's Select writes (attribute order aside), escaping
labels, values and attributes, for a plain, a selected and a grouped option."""

import pytest
from django import forms
from django.test.html import parse_html

from cases.widgets import QuickSelect

CHOICES = [("", "Any"), ("a<b", 'x "y" & <z>'), ("GB", "United Kingdom"), ("Group", [("1", "one"), ("2", "two")])]


@pytest.mark.parametrize("value", ["", "GB", "2", None, "not a choice"])
def test_same_markup_as_djangos_select(value):
    attrs = {"id": "id_issuer", "data-q": 'a"b', "required": True}
    theirs = forms.Select(choices=CHOICES, attrs=attrs).render("issuer", value)
    ours = QuickSelect(choices=CHOICES, attrs=attrs).render("issuer", value)
    assert parse_html(ours) == parse_html(theirs)
    assert "<z>" not in ours and "&lt;z&gt;" in ours


def test_the_case_list_filters_use_it():
    from cases.filters import CaseFilter

    form = CaseFilter(data={"issuer": "GB"}).form
    assert all(isinstance(form.fields[name].widget, QuickSelect) for name in ("status", "issuer", "instrument", "due"))
