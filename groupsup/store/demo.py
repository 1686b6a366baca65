"""A fictional pod for trying groupsup: six members, two closed sessions and one planned one.

Every name, case and family here is invented.
"""

from __future__ import annotations

import datetime as dt

from groupsup.domain.models import (
    Anxiety,
    CaseSlot,
    Category,
    Hypothesis,
    Lens,
    Member,
    NextStep,
    Pod,
    ResonanceNote,
    Safeguarding,
    Session,
    SessionStatus,
    StepReview,
    StepStatus,
)
from groupsup.domain.planning import plan_evenly
from groupsup.genogram.model import (
    Bond,
    Child,
    ChildKind,
    Couple,
    CoupleStatus,
    Gender,
    Genogram,
    Household,
    Person,
    Relationship,
)
from groupsup.genogram.notation import to_source
from groupsup.store.interface import Store

GRACE, TOM, PRIYA, DANIEL, HANNAH, LEILA = (
    "grace-mensah",
    "tom-whitaker",
    "priya-shah",
    "daniel-okoro",
    "hannah-kowalski",
    "leila-haddad",
)


def demo_pod() -> Pod:
    names = ["Grace Mensah", "Tom Whitaker", "Priya Shah", "Daniel Okoro", "Hannah Kowalski"]
    names.append("Leila Haddad")
    ids = [GRACE, TOM, PRIYA, DANIEL, HANNAH, LEILA]
    members = [Member(id=i, name=n) for i, n in zip(ids, names, strict=True)]
    return Pod(id="north-pod", name="North Pod", facilitator=GRACE, members=members)


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def _with_source(**parts) -> Genogram:
    """A genogram with its notation filled in, as if it had been typed."""
    genogram = Genogram(**parts)
    return genogram.model_copy(update={"source": to_source(genogram)})


def brooks_genogram() -> Genogram:
    """Three generations, a divorce and remarriage with a half-sibling, a deceased grandparent."""
    people = [
        Person(id="GF", name="Ron", gender=Gender.MALE, born=1950, died=2019),
        Person(id="GM", name="Pat", gender=Gender.FEMALE, age=68),
        Person(id="M", name="Kelly", gender=Gender.FEMALE, age=33),
        Person(id="F", name="Marcus", gender=Gender.MALE, age=36),
        Person(id="SF", name="Ryan", gender=Gender.MALE, age=30),
        Person(id="J", name="Jayden", gender=Gender.MALE, age=7, index=True),
        Person(id="Mi", name="Mia", gender=Gender.FEMALE, age=2),
    ]
    return _with_source(
        people=people,
        couples=[
            Couple(a="GF", b="GM", status=CoupleStatus.WIDOWED),
            Couple(a="F", b="M", status=CoupleStatus.DIVORCED, married=2017, divorced=2021),
            Couple(a="SF", b="M", status=CoupleStatus.COHABITING),
        ],
        children=[
            Child(child="M", parents=["GF", "GM"]),
            Child(child="J", parents=["F", "M"]),
            Child(child="Mi", parents=["SF", "M"]),
        ],
        relationships=[
            Relationship(a="J", b="SF", bond=Bond.CONFLICT),
            Relationship(a="M", b="GM", bond=Bond.CLOSE),
        ],
        households=[Household(name="Home", members=["M", "SF", "J", "Mi"])],
    )


def ahmed_genogram() -> Genogram:
    """Twins, and a fostered child living with foster carers."""
    people = [
        Person(id="M", name="Samira", gender=Gender.FEMALE, age=29),
        Person(id="A", name="Adam", gender=Gender.MALE, age=10, index=True),
        Person(id="T1", name="Yusuf", gender=Gender.MALE, age=4),
        Person(id="T2", name="Zara", gender=Gender.FEMALE, age=4),
        Person(id="FC1", name="Linda", gender=Gender.FEMALE, age=55, notes="foster carer"),
        Person(id="FC2", name="Geoff", gender=Gender.MALE, age=58, notes="foster carer"),
    ]
    return _with_source(
        people=people,
        couples=[Couple(a="FC2", b="FC1", status=CoupleStatus.MARRIED)],
        children=[
            Child(child="A", parents=["M"]),
            Child(child="T1", parents=["M"], twin_group="T1"),
            Child(child="T2", parents=["M"], twin_group="T1"),
            Child(child="A", parents=["FC2", "FC1"], kind=ChildKind.FOSTERED),
        ],
        relationships=[Relationship(a="A", b="M", bond=Bond.DISTANT)],
        households=[
            Household(name="Foster home", members=["FC1", "FC2", "A"]),
            Household(name="Mother's flat", members=["M", "T1", "T2"]),
        ],
    )


def okafor_genogram() -> Genogram:
    """A bereaved child living with his grandmother."""
    people = [
        Person(id="GM", name="Adaeze", gender=Gender.FEMALE, age=71),
        Person(id="M", name="Ngozi", gender=Gender.FEMALE, born=1985, died=2024),
        Person(id="C", name="Chidi", gender=Gender.MALE, age=14, index=True),
    ]
    return _with_source(
        people=people,
        children=[Child(child="M", parents=["GM"]), Child(child="C", parents=["M"])],
        relationships=[Relationship(a="C", b="GM", bond=Bond.CLOSE)],
        households=[Household(name="Grandmother's home", members=["GM", "C"])],
    )


def _first_session(day: dt.date) -> Session:
    present = [GRACE, TOM, PRIYA, DANIEL, HANNAH]
    brooks = CaseSlot(
        id="s1-brooks",
        presenter=TOM,
        consultant=PRIYA,
        observers=[DANIEL, HANNAH],
        case_reference="CS-20418 (Brooks)",
        category=Category.CP,
        anxiety=Anxiety.HIGH,
        planned_minutes=50,
        started_at=_at(day, 10, 10),
        ended_at=_at(day, 11, 5),
        dilemma="How do I keep Jayden's voice central when Mum's new partner dominates visits?",
        presenting_issue=(
            "Jayden (7) has told school that Ryan 'shouts and throws things'. Mum minimises it."
        ),
        history=(
            "Known since 2023 after domestic abuse by the birth father, Marcus.\n"
            "Child protection plan (emotional harm) since June; Ryan moved in in spring."
        ),
        genogram=brooks_genogram(),
        hypotheses=[
            Hypothesis(
                text="Kelly minimises because she fears losing Ryan's support with the baby.",
                offered_by=DANIEL,
                lenses=[Lens.GENDER, Lens.CLASS],
                supports="Mia is two; Kelly lost her job in the summer.",
                would_test="Ask Kelly what life would look like without Ryan's income.",
            ),
            Hypothesis(
                text="Jayden's behaviour at school is his way of being heard.",
                offered_by=HANNAH,
                lenses=[Lens.AGE],
                would_test="Direct work with Jayden, and the teacher's observations.",
            ),
        ],
        lenses_discussed=[Lens.GENDER, Lens.CLASS, Lens.AGE, Lens.RACE],
        grraacceess_notes="Tom reflected on being a white male worker visiting a household "
        "where the men's voices dominate.",
        resonance=[
            ResonanceNote(observer=DANIEL, text="Reminds me of the Lewis family: same pattern."),
            ResonanceNote(observer=HANNAH, text="I have a dad who charms me on every visit."),
        ],
        reflection="I can see I've been working around Ryan instead of with him.",
        next_steps=[
            NextStep(action="Joint visit to meet Ryan", owner=TOM, due=day + dt.timedelta(14)),
            NextStep(
                action="Consider a legal planning meeting",
                owner=TOM,
                due=day + dt.timedelta(21),
                needs_signoff=True,
            ),
        ],
    )
    ahmed = CaseSlot(
        id="s1-ahmed",
        presenter=PRIYA,
        consultant=HANNAH,
        observers=[TOM, DANIEL],
        case_reference="CS-31177 (Ahmed)",
        category=Category.CLA,
        anxiety=Anxiety.MEDIUM,
        planned_minutes=45,
        started_at=_at(day, 11, 20),
        ended_at=_at(day, 12, 2),
        dilemma="Adam wants to go home; is it time to plan contact differently?",
        presenting_issue="Adam (10) ran from his foster placement twice to see his siblings.",
        history="Accommodated last year under section 20; Mum is in recovery.",
        genogram=ahmed_genogram(),
        hypotheses=[
            Hypothesis(
                text="Adam runs to check his mother and the twins are safe.",
                offered_by=TOM,
                lenses=[Lens.AGE, Lens.CULTURE],
            )
        ],
        lenses_discussed=[Lens.CULTURE, Lens.RELIGION],
        resonance=[ResonanceNote(observer=DANIEL, text="Sibling contact keeps coming up for me.")],
        reflection="Contact with the twins matters more to Adam than contact with Mum.",
        next_steps=[
            NextStep(action="Arrange sibling contact", owner=PRIYA, due=day + dt.timedelta(10))
        ],
        safeguarding=Safeguarding(
            concern="Adam was missing overnight after the second run.",
            action_taken="Missing-from-care procedure followed; return interview held.",
        ),
    )
    return Session(
        id="demo-s1",
        pod_id="north-pod",
        date=day,
        facilitator=GRACE,
        attendees=present,
        apologies=[LEILA],
        status=SessionStatus.CLOSED,
        slots=[brooks, ahmed],
        started_at=_at(day, 10, 0),
        ended_at=_at(day, 12, 55),
    )


def _second_session(day: dt.date, first: Session) -> Session:
    brooks_steps = first.slots[0].next_steps
    reviews = [
        StepReview(
            step_id=step.id,
            agreed_in=first.id,
            agreed_on=first.date,
            case_reference=slot.case_reference,
            action=step.action,
            owner=step.owner,
            due=step.due,
            needs_signoff=step.needs_signoff,
            status=status,
            note=note,
        )
        for slot, step, status, note in [
            (first.slots[0], brooks_steps[0], StepStatus.DONE, "Ryan engaged well."),
            (first.slots[0], brooks_steps[1], StepStatus.CARRIED_FORWARD, "Manager on leave."),
            (first.slots[1], first.slots[1].next_steps[0], StepStatus.PARTLY, "One visit held."),
        ]
    ]
    okafor = CaseSlot(
        id="s2-okafor",
        presenter=LEILA,
        consultant=DANIEL,
        observers=[GRACE, TOM, PRIYA],
        case_reference="CS-40962 (Okafor)",
        category=Category.COMPLEX_CIN,
        anxiety=Anxiety.HIGH,
        planned_minutes=60,
        started_at=_at(day, 10, 15),
        ended_at=_at(day, 11, 20),
        dilemma="Grandmother is the protective factor but says she is exhausted.",
        presenting_issue="Chidi (14) is out late most nights; school attendance is 61%.",
        history="Mother died in 2022. Chidi lives with his grandmother, who is 71.",
        genogram=okafor_genogram(),
        hypotheses=[
            Hypothesis(
                text="Chidi is grieving and staying out keeps the grief away.",
                offered_by=PRIYA,
                lenses=[Lens.AGE, Lens.SPIRITUALITY],
            ),
            Hypothesis(
                text="Someone older is drawing him in: exploitation must be ruled out.",
                offered_by=TOM,
                lenses=[Lens.RACE, Lens.AGE],
                would_test="Check with the exploitation panel and police intelligence.",
            ),
        ],
        lenses_discussed=[Lens.RACE, Lens.AGE, Lens.RELIGION, Lens.SPIRITUALITY],
        resonance=[ResonanceNote(observer=TOM, text="Grandparent carers burning out is a theme.")],
        reflection="I had not let myself name exploitation; now I will.",
        next_steps=[
            NextStep(
                action="Refer to the exploitation panel", owner=LEILA, due=day + dt.timedelta(7)
            ),
            NextStep(
                action="Carer's assessment for grandmother", owner=LEILA, due=day + dt.timedelta(28)
            ),
        ],
    )
    return Session(
        id="demo-s2",
        pod_id="north-pod",
        date=day,
        facilitator=GRACE,
        attendees=[GRACE, TOM, PRIYA, DANIEL, LEILA],
        apologies=[HANNAH],
        status=SessionStatus.CLOSED,
        slots=[okafor],
        review=reviews,
        started_at=_at(day, 10, 0),
        ended_at=_at(day, 12, 40),
    )


def _planned_session(day: dt.date) -> Session:
    everyone = [GRACE, TOM, PRIYA, DANIEL, HANNAH, LEILA]

    def slot(presenter: str, consultant: str, reference: str, category: Category, anxiety: Anxiety):
        observers = [m for m in everyone if m not in (presenter, consultant)]
        return CaseSlot(
            presenter=presenter,
            consultant=consultant,
            observers=observers,
            case_reference=reference,
            category=category,
            anxiety=anxiety,
        )

    session = Session(
        id="demo-s3",
        pod_id="north-pod",
        date=day,
        facilitator=GRACE,
        attendees=everyone,
        slots=[
            slot(HANNAH, TOM, "CS-51230 (Reid)", Category.CP, Anxiety.HIGH),
            slot(DANIEL, LEILA, "CS-48811 (Novak)", Category.CIN, Anxiety.MEDIUM),
            slot(PRIYA, GRACE, "CS-31177 (Ahmed)", Category.CLA, Anxiety.LOW),
        ],
    )
    plan_evenly(session)
    return session


def fill(store: Store, today: dt.date) -> None:
    """Put the demo pod and its sessions into an empty store."""
    first = _first_session(today - dt.timedelta(days=56))
    second = _second_session(today - dt.timedelta(days=28), first)
    planned = _planned_session(today + dt.timedelta(days=2))
    store.save_pod(demo_pod())
    for session in (first, second, planned):
        store.save_session(session)


# How the group finds each next step at its first review, in turn: most are done; the open
# ones (carried forward, partly done, not done) are done at the review after.
FIRST_REVIEWS = [
    StepStatus.DONE,
    StepStatus.DONE,
    StepStatus.CARRIED_FORWARD,
    StepStatus.DONE,
    StepStatus.PARTLY,
    StepStatus.DONE,
    StepStatus.DROPPED,
    StepStatus.NOT_DONE,
    StepStatus.DONE,
]


def busy_service(
    session_count: int, today: dt.date, per_pod: int = 60, planned: bool = False
) -> list[tuple[Pod, list[Session]]]:
    """A busy service's history for benchmarks: pods of six, monthly sessions of six cases.

    Each pod holds `per_pod` closed sessions (60 is five years, as a real pod would); every case
    carries a history, a genogram, hypotheses, resonance and next steps, each with an id of its
    own, and every session reviews the steps still open before it, as a pod does, so only a
    few stay open. With `planned`, each pod also has its next session planned for today (six cases).
    """
    template = _first_session(today)
    pods: list[tuple[Pod, list[Session]]] = []
    for first in range(0, session_count, per_pod):
        number = first // per_pod + 1
        pod = demo_pod().model_copy(update={"id": f"pod-{number}", "name": f"Pod {number}"})
        held = min(per_pod, session_count - first)
        sessions: list[Session] = []
        for month in reversed(range(held)):  # oldest first: each reviews the ones before
            day = today - dt.timedelta(days=28 * (month + 1))
            session_id = f"{pod.id}-{month:04d}"
            sessions.append(_held_session(template, pod.id, session_id, day, sessions))
        if planned:
            sessions.append(_next_session(pod.id, today, sessions))  # to be run today
        pods.append((pod, sessions))
    return pods


def _held_session(
    template: Session, pod_id: str, session_id: str, day: dt.date, earlier: list[Session]
) -> Session:
    """A closed session on `day` of six cases (`template`'s cases, three times over)."""
    slots = []
    for number, slot in enumerate([*template.slots, *template.slots, *template.slots]):
        slot_id = f"{session_id}-{number}"
        # Shallow copies: the genogram and the texts are shared; every item gets its own id.
        slots.append(
            slot.model_copy(
                update={
                    "id": slot_id,
                    "started_at": None,
                    "ended_at": None,
                    **{
                        field: [
                            item.model_copy(update={"id": f"{slot_id}-{field}-{n}"})
                            for n, item in enumerate(getattr(slot, field))
                        ]
                        for field in ("hypotheses", "resonance", "next_steps")
                    },
                }
            )
        )
    for slot in slots:
        for step in slot.next_steps:
            if step.due is not None:  # as long after this session as after the template's
                step.due = day + (step.due - template.date)
    session = template.model_copy(
        update={
            "id": session_id,
            "pod_id": pod_id,
            "date": day,
            "slots": slots,
            "started_at": None,
            "ended_at": None,
        }
    )
    session.review = _reviews(session, earlier)
    return session


def _reviews(session: Session, earlier: list[Session]) -> list[StepReview]:
    """The session's review of every step still open before it: a first review as
    FIRST_REVIEWS has it in turn, a later one done."""
    from groupsup.domain.followup import open_steps

    reviews = []
    for turn, tracked in enumerate(open_steps(earlier[-3:])):  # open ones are done by then
        review = tracked.as_review()
        first = not tracked.reviews
        review.status = FIRST_REVIEWS[turn % len(FIRST_REVIEWS)] if first else StepStatus.DONE
        reviews.append(review)
    return reviews


def _next_session(pod_id: str, day: dt.date, earlier: list[Session]) -> Session:
    """The pod's next session, planned: the demo's planned cases twice over, and the steps
    still open carried into its review."""
    from groupsup.domain.followup import carry_forward

    session = _planned_session(day)
    session.id, session.pod_id = f"{pod_id}-next", pod_id
    extra = [
        slot.model_copy(update={"id": f"{pod_id}-next-{n}"}) for n, slot in enumerate(session.slots)
    ]
    session.slots = [*session.slots, *extra]
    plan_evenly(session)
    carry_forward(session, earlier[-3:])
    return session
