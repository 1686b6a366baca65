"""One GRRAACCEESS record per case: the minutes, the close check and the pod's record agree."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from groupsup.domain import planning
from groupsup.domain.derived import facts_of
from groupsup.domain.models import CaseSlot, Hypothesis, Lens, Session
from groupsup.outputs import minutes
from groupsup.store.demo import demo_pod

POD = demo_pod()
MEMBERS = [m.id for m in POD.members]
lens_sets = st.lists(st.sampled_from(list(Lens)), unique=True, max_size=5)


@st.composite
def cases(draw) -> CaseSlot:
    presenter = draw(st.sampled_from(MEMBERS))
    hypotheses = [
        Hypothesis(text=f"hypothesis {n}", lenses=draw(lens_sets))
        for n in range(draw(st.integers(0, 3)))
    ]
    return CaseSlot(presenter=presenter, hypotheses=hypotheses, lenses_discussed=draw(lens_sets))


@settings(max_examples=60, deadline=None)
@given(st.lists(cases(), min_size=1, max_size=4))
def test_minutes_never_call_a_hypothesis_lens_not_discussed(slots):
    session = Session(pod_id=POD.id, date=dt.date(2026, 11, 25), attendees=MEMBERS, slots=slots)
    md = minutes.as_markdown(POD, session)
    per_case = md.split("\n## Case ")[1:]
    assert len(per_case) == len(slots)
    for slot, text in zip(slots, per_case, strict=True):
        carried = {lens.value for h in slot.hypotheses for lens in h.lenses}
        ticked = {lens.value for lens in slot.lenses_discussed}
        found = re.search(r"Not discussed\W+([^\n|]*)", text)
        not_discussed = set(found.group(1).strip(" *").split(", ")) if found else set()
        assert not (not_discussed & (carried | ticked)), text
        recorded = carried | ticked
        warned = any("no GRRAACCEESS" in w for w in planning.close_warnings(POD, session))
        if all(s.lenses_discussed or any(h.lenses for h in s.hypotheses) for s in session.slots):
            assert not warned
        if recorded:
            assert all(lens in text for lens in recorded)
    facts = facts_of(session)
    assert sorted(facts["lenses"]) == sorted(
        lens.value
        for slot in slots
        for lens in Lens
        if lens in slot.lenses_discussed or any(lens in h.lenses for h in slot.hypotheses)
    )
