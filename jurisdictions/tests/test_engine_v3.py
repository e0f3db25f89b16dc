"""RULES.md v3, row by row: new instruments, request kinds, dated authorities, hook
periods, Indian pending proceedings, group control, `voluntary`, preservation and
objection deadlines, state holidays of the comity motion, court aliases, and the
reasons a lawyer signs (no spec cited, nothing dated after the as-of date).

Expected values are written out by hand from the rules' tables, never recomputed.
"""

import json
from datetime import date
from functools import partial

import pytest

from jurisdictions.reach import ScenarioError, facts_from_scenario
from jurisdictions.tests.test_engine import (
    CATALOGUE,
    CN,
    GROUP,
    INC,
    IRL,
    SCENARIOS,
    item,
    reason_text,
    run,
    scenario,
    with_entity,
)

dumps = partial(json.dumps, ensure_ascii=False)

BR_SUB = "Nimbus Brasil Ltda"
IN_SUB = "Nimbus India Pvt Ltd"
GROUP_BR = [*GROUP, {"name": BR_SUB, "country": "BR", "parent": INC}]
US_ONLY = with_entity(INC, offers_services_in=["US"])


def available(out: dict) -> bool:
    return out["doctrine"] is not None


# --------------------------------------------------- §4.1: every new row, its dates

# instrument, issuer, start (first day), end (last day) or None, a holding it covers
NEW_ROWS = [
    ("US-SCA-PRESERVATION", "US", "1996-04-24", None, "content"),
    ("EU-EPO-PR", "FR", "2026-08-18", None, "content"),
    ("IN-CRPC-91", "IN", "1974-04-01", "2024-06-30", "content"),
    ("IN-BNSS-94", "IN", "2024-07-01", None, "content"),
    ("DE-STPO-100J", "DE", "2013-07-01", None, "subscriber"),
    ("DE-STPO-100G", "DE", "2002-01-01", None, "traffic"),
    ("DE-STPO-95", "DE", "1879-10-01", None, "content"),
    ("FR-CPP-60-1", "FR", "2003-03-19", None, "content"),
    ("GB-IPA-CD", "GB", "2019-02-05", None, "subscriber"),
    ("CA-CC-487.012", "CA", "2004-09-15", "2015-03-08", "content"),
    ("CA-CC-487.014", "CA", "2015-03-09", None, "content"),
]


def _day(text: str, delta: int) -> str:
    return date.fromordinal(date.fromisoformat(text).toordinal() + delta).isoformat()


def _present_entity(issuer: str, *, eu: bool = False) -> list[dict]:
    """A group whose served entity is incorporated in the issuing country (for an
    EU instrument, in another member state: its enforcing state, here DE)."""
    country = "DE" if eu else issuer
    return [*GROUP, {"name": "Local Co", "country": country, "parent": INC}]


@pytest.mark.parametrize(("code", "issuer", "start", "end", "category"), NEW_ROWS)
def test_new_instrument_dates_day_before_on_and_after(code, issuer, start, end, category):
    entities = _present_entity(issuer, eu=code.startswith("EU"))
    holdings = [(category, entities[-1]["country"], "Local Co")]
    before = run(scenario(_day(start, -1), code, issuer, "Local Co", holdings=holdings, entities=entities))
    on = run(scenario(start, code, issuer, "Local Co", holdings=holdings, entities=entities))
    after = run(scenario(_day(start, 1), code, issuer, "Local Co", holdings=holdings, entities=entities))
    assert not available(before)
    assert before["doctrine_authorities"] == []
    assert available(on) and available(after)
    assert item(on)[0] == ("control" if code == "EU-EPO-PR" else "storage")
    if end is not None:
        last = run(scenario(end, code, issuer, "Local Co", holdings=holdings, entities=entities))
        gone = run(scenario(_day(end, 1), code, issuer, "Local Co", holdings=holdings, entities=entities))
        assert available(last)
        assert not available(gone)
        assert "ceased to apply" in reason_text(gone)


@pytest.mark.parametrize(("code", "issuer", "start", "end", "category"), NEW_ROWS)
def test_new_instrument_refuses_another_issuer(code, issuer, start, end, category):
    other = "US" if issuer != "US" else "GB"
    if code == "EU-EPO-PR":
        other = "DK"  # an EU member that does not take part in the e-Evidence Regulation
    out = run(scenario(end or "2026-09-01", code, other, INC, entities=_present_entity(issuer)))
    assert not available(out)
    assert [item(out)] == [("none", "mlat", [], False)]


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("US-SCA-PRESERVATION", "preservation"),
        ("EU-EPO-PR", "preservation"),
        ("US-SCA-WARRANT", "production"),
        ("EU-EPO", "production"),
        ("IN-BNSS-94", "production"),
        ("GB-IPA-CD", "production"),
    ],
)
def test_kind_is_the_instruments_even_when_unavailable(code, kind):
    out = run(scenario("1900-01-01", code, "US"))
    assert out["kind"] == kind
    assert not available(out)


def test_a_kind_that_is_not_the_instruments_is_an_input_error():
    obj = scenario("2024-03-04", "US-SCA-WARRANT", "US", demand_extra={"kind": "preservation"})
    with pytest.raises(ScenarioError) as error:
        facts_from_scenario(obj, CATALOGUE)
    assert error.value.field == "demand.kind"
    obj = scenario("2024-03-04", "US-SCA-WARRANT", "US", demand_extra={"kind": "production"})
    assert run(obj)["kind"] == "production"


@pytest.mark.parametrize(
    ("code", "categories"),
    [
        ("DE-STPO-100J", {"subscriber"}),
        ("DE-STPO-100G", {"traffic"}),
        ("DE-STPO-95", {"content"}),
        ("GB-IPA-CD", {"subscriber", "traffic"}),
        ("FR-CPP-60-1", {"subscriber", "traffic", "content"}),
        ("IN-BNSS-94", {"subscriber", "traffic", "content"}),
        ("CA-CC-487.014", {"subscriber", "traffic", "content"}),
        ("US-SCA-PRESERVATION", {"subscriber", "traffic", "content"}),
    ],
)
def test_categories_of_each_new_instrument(code, categories):
    row = CATALOGUE.instrument_by_code[code]
    issuer = "DE" if code.startswith("EU") else row.jurisdiction
    entities = _present_entity(issuer)
    holdings = [(c, issuer, "Local Co") for c in ("subscriber", "traffic", "content")]
    out = run(scenario("2026-09-01", code, issuer, "Local Co", holdings=holdings, entities=entities))
    covered = {it["category"] for it in out["items"] if it["route"] != "insufficient_instrument"}
    assert covered == categories


# --------------------------------------------------------- India: pending proceedings


@pytest.mark.parametrize(
    ("code", "as_of", "pending_since", "is_available"),
    [
        ("IN-CRPC-91", "2024-06-30", None, True),
        ("IN-CRPC-91", "2024-07-01", None, False),
        ("IN-CRPC-91", "2025-05-01", "2024-06-30", True),  # pending on the cut-off: continues
        ("IN-CRPC-91", "2025-05-01", "2024-07-01", False),  # begun after: §4.1 dates alone
        ("IN-CRPC-91", "2025-05-01", "2019-01-01", True),
        ("IN-BNSS-94", "2024-07-01", None, True),
        ("IN-BNSS-94", "2024-06-30", None, False),
        ("IN-BNSS-94", "2025-05-01", "2024-06-30", False),  # pending: continues under the CrPC
        ("IN-BNSS-94", "2025-05-01", "2024-07-01", True),
        # pending_since is compared with 2024-06-30 only, not with the as-of date
        ("IN-BNSS-94", "2024-08-01", "2030-01-01", True),
        ("IN-CRPC-91", "1974-03-31", "1970-01-01", False),  # before its start: not available anyway
    ],
)
def test_indian_pending_proceedings(code, as_of, pending_since, is_available):
    extra = {"pending_since": pending_since} if pending_since else {}
    entities = _present_entity("IN")
    out = run(
        scenario(
            as_of,
            code,
            "IN",
            "Local Co",
            entities=entities,
            holdings=[("content", "IN", "Local Co")],
            demand_extra=extra,
        )
    )
    assert available(out) is is_available
    if is_available:
        assert out["doctrine_authorities"] == [code]


def test_india_reasons_say_a_missing_pending_since_was_assumed():
    entities = _present_entity("IN")
    out = run(scenario("2024-07-02", "IN-BNSS-94", "IN", "Local Co", entities=entities))
    assert "assumed not to have been pending" in reason_text(out)
    on_cutoff = run(scenario("2024-06-30", "IN-CRPC-91", "IN", "Local Co", entities=entities))
    assert "pending" not in reason_text(on_cutoff)  # nothing to assume before the cut-off


def test_pending_since_is_ignored_by_other_instruments():
    out = run(scenario("2024-03-04", "US-SCA-WARRANT", "US", demand_extra={"pending_since": "2024-01-01"}))
    assert available(out)
    assert "pending" not in reason_text(out)


# ------------------------------------------------------ §4.2 doctrine_authorities


@pytest.mark.parametrize(
    ("code", "as_of", "court", "authorities"),
    [
        ("US-SCA-WARRANT", "2013-12-04", "S.D.N.Y.", ["US-SCA-WARRANT"]),
        ("US-SCA-WARRANT", "2014-04-24", "S.D.N.Y.", ["US-SCA-WARRANT"]),
        ("US-SCA-WARRANT", "2014-04-25", "S.D.N.Y.", ["US-SDNY-2014-04-25"]),
        ("US-SCA-WARRANT", "2014-07-30", "S.D.N.Y.", ["US-SDNY-2014-04-25"]),
        ("US-SCA-WARRANT", "2014-07-31", "S.D.N.Y.", ["US-SDNY-2014-04-25", "US-SDNY-2014-07-31"]),
        ("US-SCA-WARRANT", "2016-07-13", None, ["US-SDNY-2014-04-25", "US-SDNY-2014-07-31"]),
        ("US-SCA-WARRANT", "2016-07-14", "S.D.N.Y.", ["US-2DCIR-2016-07-14"]),
        ("US-SCA-WARRANT", "2017-01-23", "E.D.N.Y.", ["US-2DCIR-2016-07-14"]),
        ("US-SCA-WARRANT", "2017-01-24", "2d Cir.", ["US-2DCIR-2016-07-14", "US-2DCIR-2017-01-24"]),
        ("US-SCA-WARRANT", "2016-07-14", "E.D. Pa.", ["US-SCA-WARRANT"]),
        ("US-SCA-WARRANT", "2017-01-01", "E.D. Pa.", ["US-SCA-WARRANT"]),
        ("US-SCA-WARRANT", "2017-02-02", None, ["US-SCA-WARRANT"]),
        ("US-SCA-WARRANT", "2017-02-03", "E.D. Pa.", ["US-EDPA-2017-02-03"]),
        ("US-SCA-WARRANT", "2017-08-17", "N.D. Cal.", ["US-EDPA-2017-02-03", "US-EDPA-2017-08-17"]),
        ("US-SCA-WARRANT", "2018-03-22", "N.D. Cal.", ["US-EDPA-2017-02-03", "US-EDPA-2017-08-17"]),
        ("US-SCA-WARRANT", "2018-03-23", "S.D.N.Y.", ["US-CLOUD-ACT-2018-03-23"]),
        ("US-SCA-WARRANT", "2018-04-16", None, ["US-CLOUD-ACT-2018-03-23"]),
        ("US-SCA-WARRANT", "2018-04-17", None, ["US-CLOUD-ACT-2018-03-23", "US-SCOTUS-2018-04-17"]),
        ("US-SCA-SUBPOENA", "2018-03-22", None, ["US-SCA-SUBPOENA"]),
        ("US-SCA-2703D", "2018-04-17", None, ["US-CLOUD-ACT-2018-03-23", "US-SCOTUS-2018-04-17"]),
        ("US-SCA-PRESERVATION", "2018-03-22", None, ["US-SCA-PRESERVATION"]),
        ("US-SCA-PRESERVATION", "2018-03-23", None, ["US-CLOUD-ACT-2018-03-23"]),
    ],
)
def test_us_doctrine_authorities_dated_on_or_before_the_as_of_date(code, as_of, court, authorities):
    out = run(scenario(as_of, code, "US", court=court, holdings=[("subscriber", "IE", INC)]))
    assert out["doctrine_authorities"] == authorities


@pytest.mark.parametrize(
    ("code", "issuer", "as_of", "authorities"),
    [
        ("BE-CCP-46BIS", "BE", "2011-01-17", ["BE-CCP-46BIS"]),
        ("BE-CCP-46BIS", "BE", "2011-01-18", ["BE-CASS-2011-01-18"]),
        ("BE-CCP-46BIS", "BE", "2012-09-04", ["BE-CASS-2011-01-18", "BE-CASS-2012-09-04"]),
        ("BE-CCP-46BIS", "BE", "2015-12-01", ["BE-CASS-2011-01-18", "BE-CASS-2012-09-04", "BE-CASS-2015-12-01"]),
        ("BR-MCI-ORDER", "BR", "2023-02-22", ["BR-MCI-ORDER"]),
        ("BR-MCI-ORDER", "BR", "2023-02-23", ["BR-STF-ADC51-2023-02-23"]),
        ("CA-CC-487.014", "CA", "2018-01-08", ["CA-CC-487.014"]),
        ("CA-CC-487.014", "CA", "2018-01-09", ["CA-BCCA-2018-01-09"]),
        ("CA-CC-487.014", "CA", "2022-08-14", ["CA-BCCA-2018-01-09"]),
        ("CA-CC-487.014", "CA", "2022-08-15", ["CA-BCCA-2018-01-09", "CA-ABCA-2022-08-15"]),
        ("CA-CC-487.012", "CA", "2010-01-01", ["CA-CC-487.012"]),
        ("DE-STPO-95", "DE", "2024-05-02", ["DE-STPO-95"]),
        ("FR-CPP-60-1", "FR", "2024-05-02", ["FR-CPP-60-1"]),
        ("GB-IPA-CD", "GB", "2024-05-02", ["GB-IPA-CD"]),
        ("EU-EPO", "DE", "2026-09-01", ["EU-EPO"]),
        ("EU-EPO-PR", "DE", "2026-09-01", ["EU-EPO-PR"]),
    ],
)
def test_national_doctrine_authorities(code, issuer, as_of, authorities):
    entities = [*_present_entity(issuer), {"name": "Web Co", "country": "US", "offers_services_in": ["*"]}]
    served = IRL if code.startswith("EU") else "Local Co"
    out = run(scenario(as_of, code, issuer, served, entities=entities, holdings=[("subscriber", "US", INC)]))
    assert out["doctrine_authorities"] == authorities


@pytest.mark.parametrize("code", ["DE-STPO-100J", "DE-STPO-100G", "DE-STPO-95"])
def test_german_instruments_are_storage_based_and_say_it_is_to_be_confirmed(code):
    row = CATALOGUE.instrument_by_code[code]
    category = next(iter(row.categories))
    entities = _present_entity("DE")
    out = run(
        scenario("2024-05-02", code, "DE", "Local Co", entities=entities, holdings=[(category, "IE", "Local Co")])
    )
    assert out["doctrine"] == "storage-based"
    assert item(out) == ("none", "mlat", [], False)
    assert "to be confirmed by counsel" in reason_text(out)


# ----------------------------------------------------- §3 hook periods (Brecknell)


@pytest.mark.parametrize(
    ("as_of", "route"),
    [("2018-01-08", ("none", "mlat")), ("2018-01-09", ("control", "direct")), ("2018-01-10", ("control", "direct"))],
)
def test_canadian_hook_changes_with_brecknell(as_of, route):
    out = run(scenario(as_of, "CA-CC-487.014", "CA", INC, holdings=[("subscriber", "US", INC)]))
    assert item(out)[:2] == route
    assert ("Brecknell" in dumps(out["reasons"])) is (as_of >= "2018-01-09")


# --------------------------------------------------------------- §2 group control


def test_brazilian_subsidiary_controls_its_parents_and_siblings_data():
    holdings = [("content", "US", INC), ("subscriber", "IE", IRL), ("traffic", "CN", CN)]
    out = run(scenario("2024-01-01", "BR-MCI-ORDER", "BR", BR_SUB, entities=GROUP_BR, holdings=holdings))
    assert item(out, 0) == ("control", "mlat", ["US-SCA-2702"], False)
    assert item(out, 1)[:2] == ("control", "direct")
    assert item(out, 2) == ("control", "mlat", ["CN-DSL-ART36", "CN-ICJA-ART4", "CN-PIPL-ART41"], False)
    control = [r for it in out["items"] for r in it["reasons"] if r["code"] == "control"]
    assert any("group" in r["text"] for r in control)
    assert "ADC 51" in dumps(control)


def test_group_control_authorities_are_cited_only_from_their_dates():
    out = run(
        scenario("2014-07-01", "BR-MCI-ORDER", "BR", BR_SUB, entities=GROUP_BR, holdings=[("subscriber", "US", INC)])
    )
    cited = dumps(out["items"][0]["reasons"])
    assert "Inq 784/DF" in cited
    assert "ADC 51" not in cited


def test_group_control_is_brazilian_only():
    out = run(
        scenario(
            "2024-07-01",
            "IN-BNSS-94",
            "IN",
            "Local Co",
            entities=_present_entity("IN"),
            holdings=[("subscriber", "US", INC)],
        )
    )
    assert item(out)[:2] == ("none", "mlat")  # and the parent has no presence in India


# ---------------------------------------------------------------- §2 step 4.8 voluntary

IN_PRESENT = with_entity(INC, establishments=["IN"])  # the US provider has an office in India

# served, issuer, instrument, as_of, holding, entities, voluntary
VOLUNTARY = [
    (
        "subscriber held by a US provider, BNSS",
        "2024-07-01",
        "IN-BNSS-94",
        "IN",
        INC,
        ("subscriber", "US", INC),
        GROUP,
        True,
    ),
    ("traffic, BNSS", "2024-07-01", "IN-BNSS-94", "IN", INC, ("traffic", "IE", INC), GROUP, True),
    ("content never", "2024-07-01", "IN-BNSS-94", "IN", INC, ("content", "US", INC), GROUP, False),
    ("controller not US", "2024-07-01", "IN-BNSS-94", "IN", INC, ("subscriber", "IE", IRL), GROUP, False),
    ("US issuer never", "2024-07-01", "US-SCA-SUBPOENA", "US", INC, ("subscriber", "US", INC), GROUP, False),
    ("hook fails (mlat) still true", "2018-01-08", "CA-CC-487.014", "CA", INC, ("subscriber", "US", INC), GROUP, True),
    (
        "storage-based none/mlat still true",
        "2024-05-02",
        "DE-STPO-100J",
        "DE",
        INC,
        ("subscriber", "US", INC),
        _present_entity("DE"),
        True,
    ),
    (
        "category not covered: false",
        "2024-05-02",
        "DE-STPO-100J",
        "DE",
        INC,
        ("traffic", "US", INC),
        _present_entity("DE"),
        False,
    ),
    (
        "prohibition (CN storage): false",
        "2024-07-01",
        "IN-BNSS-94",
        "IN",
        INC,
        ("subscriber", "CN", INC),
        IN_PRESENT,
        False,
    ),
    (
        "unreached: conflicts not collected",
        "2024-07-01",
        "IN-BNSS-94",
        "IN",
        INC,
        ("subscriber", "CN", INC),
        GROUP,
        True,
    ),
    ("GDPR restriction keeps it", "2024-07-01", "IN-BNSS-94", "IN", INC, ("subscriber", "IE", INC), IN_PRESENT, True),
    ("agreement route: false", "2024-03-01", "GB-COPO", "GB", INC, ("subscriber", "US", INC), GROUP, False),
    ("preservation: false", "2026-09-01", "EU-EPO-PR", "DE", IRL, ("subscriber", "US", INC), GROUP, False),
    ("unavailable: false", "2024-06-30", "IN-BNSS-94", "IN", INC, ("subscriber", "US", INC), GROUP, False),
]


@pytest.mark.parametrize(
    ("as_of", "code", "issuer", "served", "holding", "entities", "voluntary"),
    [pytest.param(*row[1:], id=row[0]) for row in VOLUNTARY],
)
def test_voluntary(as_of, code, issuer, served, holding, entities, voluntary):
    if code == "IN-BNSS-94":
        entities = [*entities, {"name": IN_SUB, "country": "IN", "parent": INC}]
    out = run(scenario(as_of, code, issuer, served, entities=entities, holdings=[holding]))
    assert out["items"][0]["voluntary"] is voluntary
    assert ("Voluntary disclosure" in dumps(out["items"][0]["reasons"])) is voluntary


def test_voluntary_before_2001_cites_2703c1a_and_after_2702c6():
    early = run(scenario("2000-01-01", "BE-CCP-46BIS", "BE", INC, holdings=[("subscriber", "US", INC)]))
    assert early["items"][0]["voluntary"] is True
    cited = dumps(early["items"][0]["reasons"])
    assert "§2703(c)(1)(A)" in cited and "§2702(c)(6)" not in cited
    later = run(scenario("2001-10-26", "BE-CCP-46BIS", "BE", INC, holdings=[("subscriber", "US", INC)]))
    assert "§2702(c)(6)" in dumps(later["items"][0]["reasons"])


# ------------------------------------------------------------- preservation deadlines


@pytest.mark.parametrize(
    ("code", "issuer", "served", "court", "served_at", "extended", "expires"),
    [
        # 90 days after the day of service, on the court's clock, no roll-over
        ("US-SCA-PRESERVATION", "US", INC, "S.D.N.Y.", "2024-03-04T15:00:00Z", False, "2024-06-03T04:00:00Z"),
        ("US-SCA-PRESERVATION", "US", INC, "S.D.N.Y.", "2024-03-04T15:00:00Z", True, "2024-09-01T04:00:00Z"),
        # served 2024-03-05 06:30Z = 2024-03-04 22:30 in California: the service day is the 4th
        ("US-SCA-PRESERVATION", "US", INC, "N.D. Cal.", "2024-03-05T06:30:00Z", False, "2024-06-03T07:00:00Z"),
        # the last day, Saturday 2024-06-01, does not move (a retention period)
        ("US-SCA-PRESERVATION", "US", INC, "S.D.N.Y.", "2024-03-03T12:00:00Z", False, "2024-06-02T04:00:00Z"),
        # unknown court: New York clock
        ("US-SCA-PRESERVATION", "US", INC, None, "2024-03-04T15:00:00Z", False, "2024-06-03T04:00:00Z"),
        # European Preservation Order: 60 days (90 extended) following receipt, rolled in the enforcing state
        ("EU-EPO-PR", "DE", IRL, None, "2026-09-01T09:00:00Z", False, "2026-11-03T00:00:00Z"),
        ("EU-EPO-PR", "DE", IRL, None, "2026-09-01T09:00:00Z", True, "2026-12-01T00:00:00Z"),
    ],
)
def test_preservation_expires(code, issuer, served, court, served_at, extended, expires):
    extra = {"extended": extended, "served_at": served_at}
    out = run(
        scenario(
            "2026-09-01" if code == "EU-EPO-PR" else "2024-03-04", code, issuer, served, court=court, demand_extra=extra
        )
    )
    assert out["kind"] == "preservation"
    assert out["deadlines"]["preservation_expires"] == expires
    assert out["deadlines"]["response_due"] is None
    assert out["deadlines"]["comity_motion_due"] is None


def test_preservation_collects_no_conflicts_and_routes_direct():
    holdings = [("content", "CN", CN), ("content", "US", INC), ("subscriber", "CH", INC)]
    out = run(
        scenario("2024-03-04", "US-SCA-PRESERVATION", "US", INC, holdings=holdings, us_person=False, residence="GB")
    )
    assert [item(out, i) for i in range(3)] == [
        ("control", "direct", [], False),
        ("storage", "direct", [], False),
        ("control", "direct", [], False),
    ]
    assert "discloses nothing" in dumps(out["items"][0]["reasons"])


def test_preservation_with_nothing_reached_has_no_expiry_but_keeps_its_due_at():
    out = run(
        scenario(
            "2024-03-04",
            "US-SCA-PRESERVATION",
            "US",
            IRL,
            holdings=[("content", "IE", IRL)],
            demand_extra={"due_at": "2024-03-10T17:00:00-05:00"},
        )
    )
    assert item(out)[:2] == ("none", "mlat")  # neither entity is present in the US
    assert out["deadlines"]["preservation_expires"] is None
    assert out["deadlines"]["response_due"] == "2024-03-10T22:00:00Z"


def test_due_at_does_not_change_preservation_expires():
    extra = {"served_at": "2024-03-04T15:00:00Z", "due_at": "2024-04-01T00:00:00Z"}
    out = run(scenario("2024-03-04", "US-SCA-PRESERVATION", "US", INC, court="S.D.N.Y.", demand_extra=extra))
    assert out["deadlines"]["preservation_expires"] == "2024-06-03T04:00:00Z"
    assert out["deadlines"]["response_due"] == "2024-04-01T00:00:00Z"


def test_extended_is_ignored_by_production_instruments():
    a = run(scenario("2024-03-04", "US-SCA-WARRANT", "US", demand_extra={"extended": True}))
    b = run(scenario("2024-03-04", "US-SCA-WARRANT", "US"))
    assert a["deadlines"] == b["deadlines"]


# --------------------------------------------------- §2 step 5 conflict_objection_due


@pytest.mark.parametrize(
    ("holding", "emergency", "objection"),
    [
        (("content", "US", INC), False, "2026-09-11T23:00:00Z"),  # US-SCA-2702: the US is a third country
        (("content", "US", INC), True, "2026-09-11T23:00:00Z"),  # same for an emergency EPO
        (("subscriber", "CN", CN), False, "2026-09-11T23:00:00Z"),  # Chinese law
        (("subscriber", "IE", IRL), False, None),  # no conflict
        (("subscriber", "US", INC), False, None),  # no conflict on US subscriber data
    ],
)
def test_conflict_objection_due(holding, emergency, objection):
    # served Tuesday 2026-09-01 11:00 in Ireland: 10 days following -> Friday 2026-09-11,
    # which ends at 00:00 on the 12th in Dublin (IST, UTC+1)
    extra = {"served_at": "2026-09-01T10:00:00Z", "emergency": emergency}
    out = run(scenario("2026-09-01", "EU-EPO", "DE", IRL, holdings=[holding], demand_extra=extra))
    assert out["deadlines"]["conflict_objection_due"] == objection


def test_no_objection_when_the_hook_fails_or_on_preservation():
    extra = {"served_at": "2026-09-01T10:00:00Z"}
    no_hook = run(
        scenario(
            "2026-09-01", "EU-EPO", "DE", INC, holdings=[("content", "US", INC)], entities=US_ONLY, demand_extra=extra
        )
    )
    assert no_hook["deadlines"]["conflict_objection_due"] is None
    preservation = run(
        scenario("2026-09-01", "EU-EPO-PR", "DE", IRL, holdings=[("content", "US", INC)], demand_extra=extra)
    )
    assert preservation["deadlines"]["conflict_objection_due"] is None


def test_gdpr_is_the_unions_own_law_and_never_a_third_countrys():
    entities = [*GROUP, {"name": "Nimbus Iceland ehf", "country": "IS", "parent": IRL}]
    out = run(
        scenario(
            "2026-09-01",
            "EU-EPO",
            "DE",
            IRL,
            entities=entities,
            holdings=[("subscriber", "IS", "Nimbus Iceland ehf")],
            demand_extra={"served_at": "2026-09-01T10:00:00Z"},
        )
    )
    assert out["deadlines"]["conflict_objection_due"] is None


def test_all_four_deadline_keys_are_always_present():
    for obj in (
        scenario("2024-03-04", "US-SCA-WARRANT", "US"),
        scenario("1900-01-01", "US-SCA-WARRANT", "US"),
        scenario("2024-03-04", "US-SCA-PRESERVATION", "US"),
    ):
        assert set(run(obj)["deadlines"]) == {
            "response_due",
            "comity_motion_due",
            "preservation_expires",
            "conflict_objection_due",
        }


# ---------------------------------------- §5.4 the comity motion and state holidays


# court, served (UTC), comity motion due: the 14th day after service falls on a
# legal holiday of the court's state (or does not, for a court of another state)
STATE_HOLIDAYS = [
    ("NY Lincoln's Birthday", "S.D.N.Y.", "2024-01-29T15:00:00Z", "2024-02-14T05:00:00Z"),
    ("CT Lincoln Day", "D. Conn.", "2025-01-29T15:00:00Z", "2025-02-14T05:00:00Z"),
    ("PA: no Lincoln's Birthday", "E.D. Pa.", "2025-01-29T15:00:00Z", "2025-02-13T05:00:00Z"),
    ("PA Flag Day", "E.D. Pa.", "2024-05-31T15:00:00Z", "2024-06-18T04:00:00Z"),
    ("NJ: no Flag Day", "D.N.J.", "2024-05-31T15:00:00Z", "2024-06-15T04:00:00Z"),
    ("NJ Good Friday", "D.N.J.", "2024-03-15T15:00:00Z", "2024-04-02T04:00:00Z"),
    ("NY: no Good Friday", "S.D.N.Y.", "2024-03-15T15:00:00Z", "2024-03-30T04:00:00Z"),
    ("DE day after Thanksgiving", "D. Del.", "2024-11-15T15:00:00Z", "2024-12-03T05:00:00Z"),
    ("WA day after Thanksgiving", "W.D. Wash.", "2024-11-15T20:00:00Z", "2024-12-03T08:00:00Z"),
    ("CA: no day after Thanksgiving", "N.D. Cal.", "2024-11-15T20:00:00Z", "2024-11-30T08:00:00Z"),
    ("VA Election Day", "E.D. Va.", "2024-10-22T15:00:00Z", "2024-11-07T05:00:00Z"),
    ("NY Election Day", "S.D.N.Y.", "2024-10-22T15:00:00Z", "2024-11-07T05:00:00Z"),
    ("DC Emancipation Day", "D.D.C.", "2024-04-02T15:00:00Z", "2024-04-18T04:00:00Z"),
    ("IL Casimir Pulaski Day", "N.D. Ill.", "2024-02-19T15:00:00Z", "2024-03-06T06:00:00Z"),
    ("AL Confederate Memorial Day", "N.D. Ala.", "2024-04-08T15:00:00Z", "2024-04-24T05:00:00Z"),
    ("CA César Chávez Day", "N.D. Cal.", "2025-03-17T20:00:00Z", "2025-04-02T07:00:00Z"),
    ("VT Town Meeting Day", "D. Vt.", "2024-02-20T15:00:00Z", "2024-03-07T05:00:00Z"),
    ("unknown court: federal holidays only", "Court of Nowhere", "2024-01-29T15:00:00Z", "2024-02-13T05:00:00Z"),
]


@pytest.mark.parametrize(("court", "served_at", "due"), [pytest.param(*row[1:], id=row[0]) for row in STATE_HOLIDAYS])
def test_comity_motion_skips_the_courts_state_holidays(court, served_at, due):
    out = run(
        scenario(
            served_at[:10],
            "US-SCA-WARRANT",
            "US",
            court=court,
            served_at=served_at,
            holdings=[("content", "GB", INC)],
            us_person=False,
            residence="GB",
        )
    )
    assert item(out)[3] is True
    assert out["deadlines"]["comity_motion_due"] == due


# ------------------------------------------------------------ §5.3 courts and aliases

COURTS = {
    "S.D.N.Y.": ("Southern District of New York", "2", "America/New_York", "NY"),
    "E.D.N.Y.": ("Eastern District of New York", "2", "America/New_York", "NY"),
    "N.D.N.Y.": ("Northern District of New York", "2", "America/New_York", "NY"),
    "W.D.N.Y.": ("Western District of New York", "2", "America/New_York", "NY"),
    "D. Conn.": ("District of Connecticut", "2", "America/New_York", "CT"),
    "D. Vt.": ("District of Vermont", "2", "America/New_York", "VT"),
    "D.N.J.": ("District of New Jersey", "3", "America/New_York", "NJ"),
    "E.D. Pa.": ("Eastern District of Pennsylvania", "3", "America/New_York", "PA"),
    "M.D. Pa.": ("Middle District of Pennsylvania", "3", "America/New_York", "PA"),
    "W.D. Pa.": ("Western District of Pennsylvania", "3", "America/New_York", "PA"),
    "D. Del.": ("District of Delaware", "3", "America/New_York", "DE"),
    "E.D. Va.": ("Eastern District of Virginia", "4", "America/New_York", "VA"),
    "D.D.C.": ("District of Columbia", "DC", "America/New_York", "DC"),
    "N.D. Ill.": ("Northern District of Illinois", "7", "America/Chicago", "IL"),
    "N.D. Ala.": ("Northern District of Alabama", "11", "America/Chicago", "AL"),
    "N.D. Cal.": ("Northern District of California", "9", "America/Los_Angeles", "CA"),
    "C.D. Cal.": ("Central District of California", "9", "America/Los_Angeles", "CA"),
    "E.D. Cal.": ("Eastern District of California", "9", "America/Los_Angeles", "CA"),
    "S.D. Cal.": ("Southern District of California", "9", "America/Los_Angeles", "CA"),
    "W.D. Wash.": ("Western District of Washington", "9", "America/Los_Angeles", "WA"),
}
ALIASES = [
    (name, alias)
    for name, (long, *_rest) in COURTS.items()
    for alias in (
        name,
        long,
        f"United States District Court for the {long}",
        f"U.S. District Court for the {long}",
        name.replace(".", "").replace(" ", ""),
        name.lower(),
    )
] + [
    ("2d Cir.", alias)
    for alias in (
        "2d Cir.",
        "2nd Cir.",
        "Second Circuit",
        "Court of Appeals for the Second Circuit",
        "United States Court of Appeals for the Second Circuit",
        "CA2",
    )
]


@pytest.mark.parametrize(("name", "alias"), ALIASES)
def test_every_court_alias(name, alias):
    court = CATALOGUE.court(alias)
    assert court is not None and court.name == name
    if name in COURTS:
        _long, circuit, zone, state = COURTS[name]
        assert (court.circuit, court.time_zone, court.state) == (circuit, zone, state)


@pytest.mark.parametrize("spelling", ["s d n y", "S-D-N-Y", "sdny", "S.D.N.Y", "\tS.D.N.Y.\n"])
def test_court_names_compare_on_letters_and_digits(spelling):
    assert CATALOGUE.court(spelling).name == "S.D.N.Y."


def test_an_alias_decides_the_circuit_and_the_doctrine():
    out = run(
        scenario(
            "2017-03-01",
            "US-SCA-WARRANT",
            "US",
            court="U.S. District Court for the Southern District of New York",
            holdings=[("content", "IE", INC)],
        )
    )
    assert out["doctrine"] == "storage-based"


# ------------------------------------------------------------- §4.1 corrected citations


def test_corrected_citations():
    instruments = CATALOGUE.instrument_by_code
    assert "Telecommunications Legislation Amendment (International Production Orders) Act 2021" in (
        instruments["AU-IPO"].citation
    )
    periods = CATALOGUE.period_by_code
    assert "Art. 10(2)" in periods["EU-EPO-RESPONSE"].citation
    assert "Art. 10(3)" in periods["EU-EPO-RESPONSE"].citation
    assert "Art. 10(4)" in periods["EU-EPO-EMERGENCY"].citation
    assert "Art. 17" in periods["EU-EPO-OBJECTION"].citation
    scotus = CATALOGUE.authority_by_code["US-SCOTUS-2018-04-17"]
    assert "138 S. Ct. 1186" in scotus.citation and "per curiam" in scotus.citation
    assert scotus.dated == date(2018, 4, 17)
    assert scotus.to_confirm  # the † of RULES.md


# ----------------------------------------------------------- reasons a lawyer signs


def _public_scenarios():
    if not SCENARIOS.is_dir():
        return []
    found = []
    for name in ("public.jsonl", "public.v3.jsonl"):
        for line in (SCENARIOS / name).read_text().splitlines():
            obj = json.loads(line)
            found.append(pytest.param(obj, id=obj["id"]))
    return found


def _boundary_scenarios():
    """The dates around every authority, for every instrument that cites it."""
    found = []
    for as_of in (
        "2013-12-04",
        "2014-04-24",
        "2014-07-30",
        "2016-07-13",
        "2017-01-01",
        "2017-02-02",
        "2018-03-22",
        "2018-04-16",
    ):
        for court in (None, "S.D.N.Y.", "E.D. Pa."):
            for code in ("US-SCA-WARRANT", "US-SCA-2703D", "US-SCA-PRESERVATION"):
                obj = scenario(
                    as_of, code, "US", court=court, holdings=[("content", "IE", INC), ("subscriber", "CN", CN)]
                )
                found.append(pytest.param(obj, id=f"{code}-{as_of}-{court}"))
    for as_of, code, issuer, served in (
        ("2011-01-17", "BE-CCP-46BIS", "BE", INC),
        ("2023-02-22", "BR-MCI-ORDER", "BR", BR_SUB),
        ("2013-05-01", "BR-MCI-ORDER", "BR", BR_SUB),
        ("2018-01-08", "CA-CC-487.014", "CA", INC),
        ("2022-08-14", "CA-CC-487.014", "CA", INC),
        ("2001-10-25", "BE-CCP-46BIS", "BE", INC),
        ("2018-05-24", "BE-CCP-46BIS", "BE", INC),
    ):
        obj = scenario(
            as_of, code, issuer, served, entities=GROUP_BR, holdings=[("subscriber", "US", INC), ("content", "IE", IRL)]
        )
        found.append(pytest.param(obj, id=f"{code}-{as_of}"))
    return found


def _all_reasons(out: dict) -> list[dict]:
    return list(out["reasons"]) + [r for it in out["items"] for r in it["reasons"]]


@pytest.mark.parametrize("obj", _public_scenarios() + _boundary_scenarios())
def test_no_reason_cites_the_spec_or_a_later_authority(obj):
    try:
        out = run(obj)
    except ScenarioError:
        return  # an input-error scenario has no reasons
    as_of = date.fromisoformat(obj["as_of"])
    text = dumps(_all_reasons(out), ensure_ascii=False)
    assert "RULES.md" not in text
    assert "RULES" not in text
    for authority in CATALOGUE.authorities:
        if authority.dated > as_of:
            assert authority.citation not in text, (authority.code, obj["id"])
    later_cases = {
        "15 F. Supp. 3d 466": date(2014, 4, 25),
        "829 F.3d 197": date(2016, 7, 14),
        "855 F.3d 53": date(2017, 1, 24),
        "232 F. Supp. 3d 708": date(2017, 2, 3),
        "275 F. Supp. 3d 605": date(2017, 8, 17),
        "§2713": date(2018, 3, 23),
        "138 S. Ct. 1186": date(2018, 4, 17),
        "ADC 51": date(2023, 2, 23),
        "Brecknell": date(2018, 1, 9),
        "2022 ABCA 269": date(2022, 8, 15),
        "§2702(c)(6)": date(2001, 10, 26),
        "Inq 784/DF": date(2013, 4, 17),
    }
    for words, decided in later_cases.items():
        if decided > as_of:
            assert words not in text, (words, obj["id"])
    for reason in _all_reasons(out):
        assert reason["text"].strip()


def test_point_in_time_answers_from_the_review():
    before_sdny = run(
        scenario("2013-12-04", "US-SCA-WARRANT", "US", court="S.D.N.Y.", holdings=[("content", "IE", INC)])
    )
    assert "15 F. Supp. 3d 466" not in dumps(before_sdny)
    assert before_sdny["doctrine_authorities"] == ["US-SCA-WARRANT"]
    before_google = run(
        scenario("2017-01-01", "US-SCA-WARRANT", "US", court="E.D. Pa.", holdings=[("content", "IE", INC)])
    )
    assert "Google" not in dumps(before_google)


def test_us_warrant_holding_reasons_mention_2713_after_the_cloud_act_only():
    after = run(scenario("2024-03-04", "US-SCA-WARRANT", "US", holdings=[("content", "IE", INC)]))
    assert "§2713" in dumps(after["items"][0]["reasons"])
    before = run(scenario("2018-03-22", "US-SCA-WARRANT", "US", holdings=[("content", "IE", INC)]))
    assert "§2713" not in dumps(before)


def test_epo_reasons_name_the_designation_under_directive_2023_1544():
    out = run(scenario("2026-09-14", "EU-EPO", "FR", IRL, holdings=[("subscriber", "US", INC)]))
    control = next(r for r in out["items"][0]["reasons"] if r["code"] == "control")
    assert "designated establishment or legal representative" in control["text"]
    assert "2023/1544" in control["text"] + control["citation"]


def test_copo_reasons_say_the_agreement_lifts_the_2702_bar():
    out = run(
        scenario("2024-03-01", "GB-COPO", "GB", INC, holdings=[("content", "US", INC)], us_person=False, residence="GB")
    )
    assert item(out) == ("control", "agreement", [], False)
    text = dumps(out["items"][0]["reasons"])
    assert "lifts it" in text and "§2702(b)(9)" in text


def test_gdpr_reason_for_a_us_warrant_on_irish_data_says_nothing_of_the_uk():
    out = run(scenario("2024-03-04", "US-SCA-WARRANT", "US", INC, holdings=[("content", "IE", INC)]))
    assert out["items"][0]["conflicts"] == ["EU-GDPR-ART48"]
    text = dumps(_all_reasons(out))
    assert "GDPR Art. 48" in text
    assert "HCWS511" not in text and "UK" not in text


def test_gdpr_exception_for_uk_storage_is_explained_only_where_it_decides():
    # While GB was in the GDPR area, a US demand for GB-stored data meets no Art. 48
    # restriction because of the UK's non-participation: the reason says so.
    during = run(scenario("2020-06-01", "US-SCA-SUBPOENA", "US", INC, holdings=[("subscriber", "GB", INC)]))
    assert during["items"][0]["conflicts"] == []
    assert "HCWS511" in dumps(during["items"][0]["reasons"])
    # After 2020-12-31 GB is outside the area: the exception decides nothing.
    after = run(scenario("2021-06-01", "US-SCA-SUBPOENA", "US", INC, holdings=[("subscriber", "GB", INC)]))
    assert "HCWS511" not in dumps(_all_reasons(after))
    # A Belgian issuer is inside the area: the rule cannot apply, so no sentence.
    inside = run(scenario("2020-06-01", "BE-CCP-46BIS", "BE", INC, holdings=[("subscriber", "GB", INC)]))
    assert "HCWS511" not in dumps(_all_reasons(inside))


def test_a_canadian_subsidiary_does_not_control_its_parent():
    entities = [*GROUP, {"name": "Local Co", "country": "CA", "parent": INC}]
    out = run(
        scenario(
            "2020-06-01", "CA-CC-487.014", "CA", "Local Co", entities=entities, holdings=[("subscriber", "GB", INC)]
        )
    )
    assert item(out)[:2] == ("none", "redirect")


def test_dagger_items_are_marked_to_be_confirmed_by_counsel():
    out = run(scenario("2024-05-02", "FR-CPP-60-1", "FR", "Local Co", entities=_present_entity("FR")))
    assert "to be confirmed by counsel" in reason_text(out)
    out = run(scenario("2024-03-04", "US-SCA-WARRANT", "US", court="S.D.N.Y.", holdings=[("content", "IE", INC)]))
    assert "to be confirmed by counsel" in dumps(_all_reasons(out))  # the S. Ct. reporter page


def test_reasons_name_the_assumed_court():
    out = run(scenario("2024-03-04", "US-SCA-WARRANT", "US", court="Court of Nowhere"))
    court = next(r for r in out["reasons"] if r["code"] == "court")
    assert "Court of Nowhere" in court["text"] and "assumes" in court["text"]
