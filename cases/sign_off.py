"""What a case's sign-off says, said once for the case file, the memo, the export and
the API: which answer counsel signed (the analysis, its date, who signed and when),
whether that sign-off still stands and, when it does not, why.

A sign-off stands for the answer it signed. It no longer stands once counsel
overrides a holding or the facts are amended (`cases.actions.review.void_sign_off`
records when and why), or once a newer analysis replaces the one signed
(`cases.analysis.analyse_case` records that too). The case then awaits a sign-off of
its latest analysis, unless the case was closed first: a closed case takes no
sign-off (the actions refuse one), so it says "Closed without counsel's sign-off"
rather than awaiting one that can never come. The `state` values stay the three
below (the API's enum): `case_closed` and the words say the rest.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from cases.models import Analysis, Case

SIGNED, AWAITING, VOIDED = "signed", "awaiting", "voided"
STATES = {
    SIGNED: "the latest analysis is signed off and the sign-off stands",
    AWAITING: "the latest analysis has never been signed off",
    VOIDED: "a sign-off no longer stands (an override, amended facts or a newer analysis): "
    "the latest analysis awaits a new one",
}
STATE_CHOICES = list(STATES.items())
CLOSED_UNSIGNED = "Closed without counsel's sign-off"


def replaced_because(as_of: dt.date) -> str:
    """Why a sign-off no longer stands once a newer analysis replaced the one signed."""
    return f"a newer analysis (as of {as_of.isoformat()}) replaced it"


@dataclass(frozen=True)
class Signed:
    """A signed analysis as the sign-off needs it: from a row, the export or the status query."""

    id: int
    as_of: dt.date
    signed_by: str | None
    signed_at: dt.datetime
    note: str = ""
    voided_at: dt.datetime | None = None
    voided_because: str = ""


@dataclass(frozen=True)
class Newer:
    """The analysis that came after a signed one (the latest, or the next one)."""

    id: int
    as_of: dt.date
    created_at: dt.datetime


@dataclass(frozen=True)
class SignOff:
    """The sign-off of a case, or of one analysis."""

    state: str
    analysis: int | None = None
    analysis_as_of: dt.date | None = None
    signed_by: str | None = None
    signed_at: dt.datetime | None = None
    note: str = ""
    voided_at: dt.datetime | None = None
    voided_because: str | None = None
    case_closed: bool = False  # the case was closed: no sign-off can come any more

    @property
    def stands(self) -> bool:
        return self.state == SIGNED

    @property
    def who_and_when(self) -> str:
        """Who signed which analysis when: "Signed off by carl on 2026-01-05 (analysis 12,
        as of 2026-01-04)"."""
        if self.signed_at is None:
            return ""
        as_of = f", as of {self.analysis_as_of.isoformat()}" if self.analysis_as_of else ""
        return (
            f"Signed off by {self.signed_by or 'someone no longer known'} on {self.signed_at:%Y-%m-%d} "
            f"(analysis {self.analysis}{as_of})"
        )

    @property
    def in_words(self) -> str:
        """What the badge, the memo and the export say."""
        if self.state == AWAITING:
            return CLOSED_UNSIGNED if self.case_closed else "Awaiting counsel's sign-off"
        if self.state == SIGNED:
            return self.who_and_when
        voided = f"{self.who_and_when} — no longer stands: {self.voided_because}"
        return f"{voided}; the case was closed without a new sign-off" if self.case_closed else voided

    @property
    def badge(self) -> str:
        """The badge's short words: signed off, awaiting a sign-off, or closed without one."""
        if self.state == SIGNED:
            return "Signed off"
        return CLOSED_UNSIGNED if self.case_closed else "Awaiting counsel's sign-off"

    def as_data(self) -> dict[str, Any]:
        """The API's and the export's `sign_off`."""
        return {
            "state": self.state,
            "signed_analysis": self.analysis,
            "signed_by": self.signed_by,
            "signed_at": self.signed_at,
            "voided_at": self.voided_at,
            "voided_because": self.voided_because,
            "in_words": self.in_words,
        }


def of_analysis(signed: Signed | None, newer: Newer | None) -> SignOff | None:
    """The sign-off of one analysis: None when it was never signed; standing unless it
    was voided or `newer` (the analysis after it) replaced it."""
    if signed is None:
        return None
    standing = SignOff(
        SIGNED,
        analysis=signed.id,
        analysis_as_of=signed.as_of,
        signed_by=signed.signed_by,
        signed_at=signed.signed_at,
        note=signed.note,
    )
    if signed.voided_at is not None:
        return replace(standing, state=VOIDED, voided_at=signed.voided_at, voided_because=signed.voided_because)
    if newer is not None:
        # A sign-off given before the analysis that replaced it was recorded as voided
        # (analyse_case does so since): said the same way.
        return replace(standing, state=VOIDED, voided_at=newer.created_at, voided_because=replaced_because(newer.as_of))
    return standing


def of_case(*, analysed: bool, signed: Signed | None, newer: Newer | None, closed: bool = False) -> SignOff | None:
    """The case's sign-off: that of its latest signed analysis (`newer`: the analysis
    after that one, if any); awaited when no analysis was ever signed; None before
    the first analysis (nothing to sign). On a `closed` case one that does not stand
    says the case was closed without it."""
    if not analysed:
        return None
    return _closed(of_analysis(signed, newer) or SignOff(AWAITING), closed)


def _closed(case_sign_off: SignOff, closed: bool) -> SignOff:
    if closed and case_sign_off.state != SIGNED:
        return replace(case_sign_off, case_closed=True)
    return case_sign_off


def signed_row(analysis: Analysis) -> Signed | None:
    """A signed Analysis row (its signer selected with it) as `Signed`; None if unsigned."""
    if analysis.signed_off_at is None:
        return None
    signer = analysis.signed_off_by
    return Signed(
        id=analysis.pk,
        as_of=analysis.as_of,
        signed_by=signer.get_username() if signer is not None else None,
        signed_at=analysis.signed_off_at,
        note=analysis.sign_off_note,
        voided_at=analysis.sign_off_voided_at,
        voided_because=analysis.sign_off_voided_reason,
    )


def newer_row(analysis: Analysis | None) -> Newer | None:
    return None if analysis is None else Newer(analysis.pk, analysis.as_of, analysis.created_at)


def of_analyses(
    newest_first: Sequence[Analysis], *, closed: bool = False
) -> tuple[SignOff | None, list[SignOff | None]]:
    """The case's sign-off and each analysis's own (same order), from all of its
    analyses newest first, as the case file reads them: no query. `closed`: the case is."""
    rows = [
        of_analysis(signed_row(analysis), newer_row(newest_first[index - 1]) if index else None)
        for index, analysis in enumerate(newest_first)
    ]
    case = next((row for row in rows if row is not None), None)
    return (_closed(case or SignOff(AWAITING), closed)) if newest_first else None, rows


# What the API's case list and case read about the analyses, beside the case row.
_ANALYSIS_FIELDS = (
    "id",
    "case_id",
    "as_of",
    "created_at",
    "signed_off_at",
    "sign_off_note",
    "sign_off_voided_at",
    "sign_off_voided_reason",
    "signed_off_by__username",
)


def attach(cases: Iterable[Case]) -> None:
    """Set `sign_off` on each case of a page, in one query whatever the page's size.

    The cases carry `latest_analysis_id` and `signed_analysis_id` (the API's queryset
    annotates them, `with_sign_off_keys`); the two analyses of each are read together.
    """
    cases = list(cases)
    keys = {pk for case in cases for pk in (case.latest_analysis_id, case.signed_analysis_id) if pk is not None}  # type: ignore[attr-defined]
    rows = (
        {a.pk: a for a in Analysis.objects.filter(pk__in=keys).select_related("signed_off_by").only(*_ANALYSIS_FIELDS)}
        if keys
        else {}
    )
    for case in cases:
        latest = rows.get(case.latest_analysis_id)  # type: ignore[attr-defined]
        signed = rows.get(case.signed_analysis_id)  # type: ignore[attr-defined]
        newer = latest if signed is not None and latest is not None and latest.pk != signed.pk else None
        case.sign_off = of_case(  # type: ignore[attr-defined]
            analysed=latest is not None,
            signed=signed_row(signed) if signed else None,
            newer=newer_row(newer),
            closed=case.is_closed,
        )
