"""The case's one GRRAACCEESS record (policy 7.3), read the same way by the minutes, the close
check and the pod's record. Free of pydantic, like the derived records that use it."""

from __future__ import annotations

from groupsup.domain.vocabulary import Lens


def discussed(slot) -> list[Lens]:
    """The lenses a case discussed, in the acronym's order: those the facilitator ticked and
    those any of its hypotheses carries (a hypothesis tagged 'class' discussed class)."""
    carried = set(slot.lenses_discussed) | {lens for h in slot.hypotheses for lens in h.lenses}
    return [lens for lens in Lens if lens in carried]


def not_discussed(slot) -> list[Lens]:
    found = set(discussed(slot))
    return [lens for lens in Lens if lens not in found]
