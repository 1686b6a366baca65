"""Modal forms. Each builds a domain record from its fields; a problem is shown in one line and
everything typed stays in the form. Enter saves from any field but a multi-line one, Ctrl+S from
anywhere; Space ticks; Escape cancels. People are chosen by typing (no dropdown to lose keys)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Input, Label, Select, Static, TextArea

from groupsup.domain import agreeing, planning
from groupsup.domain.dates import example_dates, parse_date, when
from groupsup.domain.errors import GroupsupError, explain
from groupsup.domain.models import (
    Anxiety,
    CaseSlot,
    Category,
    Hypothesis,
    Lens,
    NextStep,
    Pod,
    ResonanceNote,
    Safeguarding,
    Session,
    StepReview,
    StepStatus,
    due_problem,
)
from groupsup.domain.roles import SessionRoles
from groupsup.domain.vocabulary import record_stage
from groupsup.genogram.notation import parse, to_source
from groupsup.screens.base import Dialog, Result, Scroll
from groupsup.widgets.fields import ChoiceList, PersonField, TextField, Tick, TickList


def people(pod: Pod, member_ids: list[str]) -> list[tuple[Content, str]]:
    return [(Content(pod.name_of(m)), m) for m in member_ids]


def chosen(select: Select) -> str | None:
    value = select.value
    return value if isinstance(value, str) else None  # Select.NULL: nothing chosen


Record = TypeVar("Record", bound=BaseModel)


def updated(model: type[Record], existing: Record | None, fields: dict) -> Record:
    """A record from `fields`, keeping what `existing` had in the fields the form does not show."""
    return model.model_validate((existing.model_dump() if existing else {}) | fields)


class Form(Dialog[Result]):
    """A dialog of fields. Subclasses give `title`, `fields()` and `build()`."""

    # Priority: saved the moment the key is typed, so the keys typed after it never land in
    # a form that is about to close.
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="save"),
        Binding("enter", "submit", "Save", show=False, priority=True, id="submit"),
    ]
    title_text = ""
    hint = "Enter or Ctrl+S saves · Escape cancels"

    def compose(self) -> ComposeResult:
        with Scroll(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield from self.fields()
            yield Static("", id="problem", markup=False)
            yield Static(self.hint, classes="hint")

    def fields(self) -> ComposeResult:
        raise NotImplementedError

    def build(self) -> Result:
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple) -> bool:
        # Enter in a multi-line field starts a new line; anywhere else it saves.
        return not (action == "submit" and isinstance(self.focused, TextArea))

    def action_submit(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        try:
            result = self.build()
        except ValidationError as error:
            self.problem(explain(error))
        except GroupsupError as error:
            self.problem(str(error))
        else:
            self.dismiss(result)

    def problem(self, message: str) -> None:
        self.query_one("#problem", Static).update(Content(message))
        self.query_one("#problem").add_class("shown")

    def value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value

    def person(self, field_id: str) -> str | None:
        """The member chosen in a PersonField; a typing that fits no one is a problem."""
        try:
            return self.query_one(f"#{field_id}", PersonField).value
        except ValueError as error:
            raise GroupsupError(str(error)) from None


class TextPrompt(Form[str]):
    """One line of text, checked by `check` (which raises GroupsupError with the reason)."""

    def __init__(
        self, title: str, value: str = "", check: Callable[[str], None] | None = None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.initial = value
        self.check = check

    def fields(self) -> ComposeResult:
        yield TextField(self.initial, id="text")

    def build(self) -> str:
        text = self.value("text")
        if not text.strip():
            raise GroupsupError("Type something first, or press Escape to cancel.")
        if self.check:
            self.check(text)
        return text.strip()


class NotHeldForm(Form[list[Session]]):
    """A planned session that will not be held: postponed (a new date, why) or cancelled (why).
    Gives the sessions to save, in order: where postponed, the one taking its place first."""

    title_text = "This session will not be held"

    def __init__(
        self, session: Session, today: dt.date, planned: dict[dt.date, str] | None = None
    ) -> None:
        """`planned`: the pod's other planned sessions, by day (`planning.planned_days`)."""
        super().__init__()
        self.session, self.today, self.planned = session, today, planned

    def fields(self) -> ComposeResult:
        yield Static(Content(f"The session of {when(self.session.date)}"), classes="dialog-subject")
        new_date, _ = example_dates(max(self.session.date, self.today))  # one still to come
        yield ChoiceList(
            [("postpone it to a new date", "postpone"), ("cancel it", "cancel")], id="what"
        )
        yield TextField(
            placeholder=f"New date, if postponed ({new_date}, or +14 days)", id="new-date"
        )
        yield TextField(placeholder="Why (kept in the pod's record)", id="reason")

    def build(self) -> list[Session]:
        what = self.query_one("#what", ChoiceList).value
        reason = self.value("reason")
        if what == "cancel":
            return [planning.cancel(self.session, reason, self.today)]
        if what != "postpone":
            raise GroupsupError("Choose: postpone it to a new date, or cancel it.")
        typed = self.value("new-date").strip()
        if not typed:
            raise GroupsupError("Give the new date the session is postponed to.")
        postponed, instead = planning.postpone(
            self.session, parse_date(typed, self.today, "today"), reason, self.today, self.planned
        )
        return [instead, postponed]


class HypothesisForm(Form[Hypothesis]):
    title_text = "Hypothesis"

    def __init__(self, pod: Pod, session: Session, existing: Hypothesis | None = None) -> None:
        super().__init__()
        self.pod, self.session, self.existing = pod, session, existing

    def fields(self) -> ComposeResult:
        h = self.existing
        yield TextField(h.text if h else "", placeholder="What might be going on?", id="text")
        yield Label("Offered by")
        yield PersonField(
            self.pod, self.session.attendees, h.offered_by if h else None, id="offered-by"
        )
        yield Label("GRRAACCEESS lenses (a letter finds one, Space ticks)")
        yield TickList([(lens.value, lens) for lens in Lens], h.lenses if h else (), id="lenses")
        yield TextField(h.supports if h else "", placeholder="What supports it?", id="supports")
        yield TextField(
            h.would_test if h else "", placeholder="What would test it?", id="would-test"
        )

    def build(self) -> Hypothesis:
        fields = {
            "text": self.value("text"),
            "offered_by": self.person("offered-by"),
            "lenses": self.query_one("#lenses", TickList).selected,
            "supports": self.value("supports"),
            "would_test": self.value("would-test"),
        }
        return updated(Hypothesis, self.existing, fields)


class ResonanceForm(Form[ResonanceNote]):
    title_text = "Resonance: how the case speaks to an observer's own caseload"

    def __init__(self, pod: Pod, slot: CaseSlot, existing: ResonanceNote | None = None) -> None:
        super().__init__()
        self.pod, self.slot, self.existing = pod, slot, existing

    def fields(self) -> ComposeResult:
        noted = {n.observer for n in self.slot.resonance}
        waiting = [o for o in self.slot.observers if o not in noted]
        first = self.existing.observer if self.existing else next(iter(waiting), None)
        yield Label("Observer")
        yield PersonField(self.pod, self.slot.observers, first, id="observer")
        yield TextField(
            self.existing.text if self.existing else "", placeholder="Which bells ring?", id="text"
        )

    def build(self) -> ResonanceNote:
        observer = self.person("observer")
        return updated(
            ResonanceNote, self.existing, {"observer": observer, "text": self.value("text")}
        )


class NextStepForm(Form[NextStep]):
    title_text = "Next step: what is to be done, by whom, by when"

    def __init__(
        self, pod: Pod, session: Session, slot: CaseSlot, existing: NextStep | None = None
    ) -> None:
        super().__init__()
        self.pod, self.session, self.slot, self.existing = pod, session, slot, existing

    def fields(self) -> ComposeResult:
        s = self.existing
        yield TextField(s.action if s else "", placeholder="What is to be done?", id="action")
        yield Label("Owner")
        yield PersonField(
            self.pod, self.session.attendees, s.owner if s else self.slot.presenter, id="owner"
        )
        yield Label(f"Due ({', '.join(example_dates(self.session.date))}, +14 or +2w)")
        yield Input(str(s.due) if s and s.due else "+2w", id="due")
        yield Tick(
            "Needs manager sign-off (a decision on case direction)",
            s.needs_signoff if s else False,
            id="signoff",
        )
        yield TextField(
            s.signoff_reason if s else "",
            placeholder="Why it needs sign-off (optional)",
            id="signoff-reason",
        )

    def build(self) -> NextStep:
        due_text = self.value("due").strip()
        due = parse_date(due_text, self.session.date) if due_text else None
        fields = {
            "action": self.value("action"),
            "owner": self.person("owner"),
            "due": due,
            "needs_signoff": self.query_one("#signoff", Tick).value,
            "signoff_reason": self.value("signoff-reason").strip(),
        }
        step = updated(NextStep, self.existing, fields)
        if problem := due_problem(step, self.session.date):
            raise GroupsupError(problem)
        return step


class SafeguardingForm(Form[Safeguarding]):
    title_text = "Safeguarding concern: start the child or adult protection procedures"

    def __init__(self, existing: Safeguarding | None = None) -> None:
        super().__init__()
        self.existing = existing

    def fields(self) -> ComposeResult:
        s = self.existing
        yield TextField(s.concern if s else "", placeholder="What is the concern?", id="concern")
        yield TextField(
            s.action_taken if s else "",
            placeholder="What was done? (procedure started, by whom, when)",
            id="action-taken",
        )

    def on_mount(self) -> None:
        # A concern already raised: what is typed now is what was done about it.
        if self.existing is not None:
            self.set_focus(self.query_one("#action-taken"))

    def build(self) -> Safeguarding:
        return Safeguarding(concern=self.value("concern"), action_taken=self.value("action-taken"))


class PersonalLevelForm(Form[str]):
    """The presenter's reflection on the GRRAACCEESS at a personal level (policy 7.3)."""

    title_text = "GRRAACCEESS at a personal level"
    hint = "Ctrl+S saves (Enter starts a new line) · Escape cancels"

    def __init__(self, slot: CaseSlot) -> None:
        super().__init__()
        self.slot = slot

    def fields(self) -> ComposeResult:
        yield Static(
            "How do the worker's own gender, race, religion, age, ability, class, culture, "
            "ethnicity, education, sexuality and spirituality meet the child's and family's? "
            "How might they shape the relationship, and where is the power?",
            classes="hint",
        )
        area = TextArea(self.slot.grraacceess_notes, id="personal-level")
        area.move_cursor(area.document.end)  # typing carries on after what is there
        yield area

    def build(self) -> str:
        return self.query_one("#personal-level", TextArea).text.strip()


class ReviewForm(Form[StepReview]):
    title_text = "How does this next step stand?"

    def __init__(self, pod: Pod, review: StepReview) -> None:
        super().__init__()
        self.pod, self.review = pod, review

    def fields(self) -> ComposeResult:
        review = self.review
        yield Static(
            Content(f"{review.action} ({self.pod.name_of(review.owner)})"),
            classes="dialog-subject",
        )
        yield Static(Content(history(review)), classes="hint")
        yield ChoiceList(
            [(status.value, status) for status in StepStatus if status is not StepStatus.OPEN],
            self.review.status if self.review.status is not StepStatus.OPEN else None,
            id="status",
        )
        yield TextField(self.review.note, placeholder="Progress note", id="note")

    def build(self) -> StepReview:
        status = self.query_one("#status", ChoiceList).value
        if status is None:
            raise GroupsupError("Choose how the step stands: done, partly, not done, ...")
        return self.review.model_copy(update={"status": status, "note": self.value("note")})


def history(review: StepReview) -> str:
    """What the group needs to know to review a step: when it was due, whether the line
    manager must sign it off, and how the latest review left it."""
    due = f"Due {when(review.due)}" if review.due else "No due date"
    signoff = "needs manager sign-off" if review.needs_signoff else "no manager sign-off"
    lines = [f"Agreed {when(review.agreed_on)} · {due} · {signoff}"]
    if review.last_status is not None:
        last = f"Last reviewed {when(review.last_reviewed_on)}: {review.last_status.value}"
        lines.append(f"{last}. {review.last_note}".rstrip())
    else:
        lines.append("Not reviewed before.")
    return "\n".join(lines)


class PreparationForm(Form[CaseSlot]):
    """What the presenter brings, typed with them before the session: the presenting issue,
    the case history and the genogram (the dilemma is agreed in the case slot itself)."""

    hint = "Ctrl+S saves (Enter starts a new line in the history and genogram) · Escape cancels"

    def __init__(self, slot: CaseSlot) -> None:
        super().__init__()
        self.slot = slot
        self.title_text = f"Prepared with the presenter: {slot.title}"

    def fields(self) -> ComposeResult:
        s = self.slot
        if s.carried_from is not None:
            yield Static(
                f"History and genogram carried over from the session of {when(s.carried_from)}."
                " Update what has changed.",
                id="carried-over",
                classes="hint",
                markup=False,
            )
        yield TextField(s.presenting_issue, placeholder="Presenting issue", id="presenting-issue")
        yield Label("Case history")
        yield TextArea(s.history, id="history")
        yield Label("Genogram: J: Jayden, m, 7, index · F = M m2015 · F + M > J")
        yield TextArea(s.genogram.source or to_source(s.genogram), id="genogram", soft_wrap=False)
        yield Static("", id="genogram-mistakes", classes="hint", markup=False)

    @on(TextArea.Changed, "#genogram")
    def _check_genogram(self, event: TextArea.Changed) -> None:
        errors = parse(event.text_area.text).errors
        found = "\n".join(f"Mistake at {e}" for e in errors[:2])
        self.query_one("#genogram-mistakes", Static).update(Content(found))

    def build(self) -> CaseSlot:
        genogram = parse(self.query_one("#genogram", TextArea).text).genogram  # text kept
        fields = {
            "presenting_issue": self.value("presenting-issue"),
            "history": self.query_one("#history", TextArea).text,
            "genogram": genogram,
        }
        return self.slot.model_copy(update=fields)


class SlotForm(Form[CaseSlot]):
    title_text = "Case slot"

    def __init__(
        self,
        pod: Pod,
        session: Session,
        others: list[SessionRoles],
        existing: CaseSlot | None = None,
    ) -> None:
        """`others`: who held which role in the pod's other sessions, for suggesting a
        consultant."""
        super().__init__()
        self.pod, self.session, self.existing = pod, session, existing
        self.history = [*others, SessionRoles.of(session)]
        # the roles as last chosen, that the observers ticked follow
        self.roles: planning.Roles = (
            (existing.presenter, existing.consultant) if existing else (None, None)
        )

    def fields(self) -> ComposeResult:
        s = self.existing
        present = self.session.attendees
        yield Label("Presenter")
        yield PersonField(self.pod, present, s.presenter if s else None, id="presenter")
        yield Label("Consultant")
        yield PersonField(self.pod, present, s.consultant if s else None, id="consultant")
        yield Static("", id="suggestion", classes="hint", markup=False)
        yield TextField(s.case_reference if s else "", placeholder="Case reference", id="reference")
        with Horizontal(classes="pair"):
            yield ChoiceList(
                [(c.value, c) for c in Category], s.category if s else Category.CIN, id="category"
            )
            yield ChoiceList(
                [(f"anxiety {a.value}", a) for a in Anxiety],
                s.anxiety if s else Anxiety.MEDIUM,
                id="anxiety",
            )
        yield TextField(
            s.dilemma if s else "",
            placeholder="Theme or dilemma agreed with the presenter",
            id="dilemma",
        )
        yield Label("Weight (1 = an even share of the time, 2 = twice as long)")
        yield Input(f"{s.weight:g}" if s else "1", id="weight")
        yield Label("Observers (Space ticks; the presenter and consultant are left out)")
        observing = set(s.observers) if s else set(self.session.attendees)
        yield TickList(
            [(self.pod.name_of(m), m) for m in self.session.attendees],
            [m for m in self.session.attendees if m in observing],
            id="observers",
        )

    @on(PersonField.Changed)
    def _check_roles_as_chosen(self) -> None:
        self._observers_follow_roles()
        try:
            presenter, consultant = self.person("presenter"), self.person("consultant")
        except GroupsupError:
            return  # the field itself says whom the typing could mean
        problem = self.query_one("#problem", Static)
        try:
            if presenter is not None:
                planning.check_roles(self.pod, self.session, presenter, consultant)
        except GroupsupError as error:
            self.problem(str(error))
        else:
            problem.update("")
            problem.remove_class("shown")
        self._suggest_consultant(presenter)

    def _observers_follow_roles(self) -> None:
        """Untick whoever now presents or consults, tick again whoever stopped (a name typed
        that fits no one, or several, holds no role yet)."""
        roles = (self._chosen("presenter"), self._chosen("consultant"))
        observers = self.query_one("#observers", TickList)
        observers.set_ticked(
            planning.observers_for_roles(
                self.session.attendees, observers.selected, self.roles, roles
            )
        )
        self.roles = roles

    def _chosen(self, field_id: str) -> str | None:
        try:
            return self.person(field_id)
        except GroupsupError:
            return None

    def _suggest_consultant(self, presenter: str | None) -> None:
        text = ""
        if presenter is not None:
            suggestions = planning.suggest_consultants(
                self.pod, self.history, presenter, self.session.attendees
            )[:2]
            text = "; ".join(f"{self.pod.name_of(s.member_id)} ({s.reason})" for s in suggestions)
        self.query_one("#suggestion", Static).update(
            Content(f"Suggested consultant: {text}" if text else "")
        )

    def build(self) -> CaseSlot:
        try:
            weight = float(self.value("weight"))
        except ValueError:
            raise GroupsupError("The weight must be a number such as 1, 1.5 or 2.") from None
        presenter, consultant = self.person("presenter"), self.person("consultant")
        planning.check_roles(self.pod, self.session, presenter, consultant)
        fields = {
            "presenter": presenter,
            "consultant": consultant,
            "case_reference": self.value("reference"),
            "category": self.query_one("#category", ChoiceList).value,
            "anxiety": self.query_one("#anxiety", ChoiceList).value,
            "dilemma": self.value("dilemma"),
            "weight": weight,
            "observers": [
                m
                for m in self.query_one("#observers", TickList).selected
                if m not in (presenter, consultant)
            ],
        }
        return updated(CaseSlot, self.existing, fields)


class AgreementForm(Form[tuple[int, str, str]]):
    """A case record's next stage after the close: agreed by the worker who presented it (with
    a correction if they ask for one), then passed to the manager."""

    title_text = "Case records: agreed by the worker, then passed to the manager"

    def __init__(self, pod: Pod, session: Session, at: dt.datetime) -> None:
        super().__init__()
        self.pod, self.session, self.at = pod, session, at

    def fields(self) -> ComposeResult:
        choices: list[tuple[str, object]] = [
            (
                f"{number} {slot.title}, {self.pod.name_of(slot.presenter)}: "
                f"{record_stage(self.session, slot).value}",
                number,
            )
            for number, slot in enumerate(self.session.slots, 1)
        ]
        waiting = [n for n, s in enumerate(self.session.slots, 1) if s.agreement is None]
        first = (waiting or [1])[0]
        yield ChoiceList(choices, first, id="case")
        yield TextField(placeholder="A correction the worker asked for (optional)", id="correction")
        yield TextField(placeholder="Passed to which manager? (empty: agreed only)", id="manager")

    def build(self) -> tuple[int, str, str]:
        number = int(self.query_one("#case", ChoiceList).value)
        correction, manager = self.value("correction"), self.value("manager")
        trial = self.session.model_copy(deep=True)  # refused here, with what was typed kept
        agreeing.advance(self.pod, trial, number, self.at, correction, manager)
        return number, correction, manager


class Confirm(Dialog[bool]):
    """A question with the facts to decide it: Enter says yes, Escape says no."""

    BINDINGS = [Binding("enter", "yes", "Yes", priority=True, id="yes")]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self.title_text, self.body = title, body

    def compose(self) -> ComposeResult:
        with Scroll(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(Content(self.body))
            yield Static("Enter: yes · Escape: no", classes="hint")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
