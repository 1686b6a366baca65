"""Form fields that never lose a key: no dropdowns, Enter left to the form (it saves), Space
ticks, and every choice shown in words (☑/☐, the chosen person's name), not only in colour."""

from __future__ import annotations

from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, Input, OptionList, Static
from textual.widgets.option_list import Option

from groupsup.domain.models import Pod
from groupsup.domain.people import matching

TICKED, UNTICKED = "☑", "☐"


class TextField(Input):
    """A one-line field that keeps its text when focused. Textual's Input selects all of it on
    focus, so one stray key (a Space, the first word typed) would replace what is there. The
    cursor goes after the text instead; Ctrl+A still selects all. A field holding a value the
    app proposed (a date, minutes, a weight) stays an Input: typing there replaces the value."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, select_on_focus=False, **kwargs)


class Tick(Checkbox):
    """A checkbox ticked with Space only (Enter saves the form) and drawn ☑ or ☐."""

    _inherit_bindings = False
    BINDINGS = []

    def on_key(self, event: events.Key) -> None:
        # A typed key, not a binding: handled in turn with the keys typed before it.
        if event.key == "space":
            event.stop()
            self.toggle()

    @property
    def _button(self) -> Content:
        return Content(TICKED if self.value else UNTICKED)


class TickList(OptionList):
    """Options ticked with Space, drawn ☑ or ☐. A letter moves to the next option starting
    with it, so 'e' twice reaches 'education' after 'ethnicity'. Enter is left to the form."""

    _inherit_bindings = False
    BINDINGS = [b for b in OptionList.BINDINGS if getattr(b, "key", "") != "enter"]

    class Changed(Message):
        def __init__(self, tick_list: TickList) -> None:
            super().__init__()
            self.tick_list = tick_list

        @property
        def control(self) -> TickList:
            return self.tick_list

    def __init__(self, choices: list[tuple[str, object]], ticked=(), **kwargs) -> None:
        self.labels = {value: label for label, value in choices}
        self.ticked = {value for value in ticked if value in self.labels}
        super().__init__(*self._rows(), **kwargs)

    def _rows(self) -> list[Option]:
        return [
            Option(Content(f"{TICKED if v in self.ticked else UNTICKED} {label}"), id=str(i))
            for i, (v, label) in enumerate(self.labels.items())
        ]

    @property
    def selected(self) -> list:
        """The ticked values, in the order of the choices."""
        return [value for value in self.labels if value in self.ticked]

    def set_ticked(self, values) -> None:
        """Tick exactly `values`, without announcing a change (loading a record)."""
        self.ticked = set(values) & set(self.labels)
        self._redraw()

    def _redraw(self) -> None:
        highlighted = self.highlighted
        self.set_options(self._rows())
        self.highlighted = highlighted

    def action_tick(self) -> None:
        if self.highlighted is None:
            return
        value = list(self.labels)[self.highlighted]
        self.ticked ^= {value}
        self._redraw()
        self.post_message(self.Changed(self))

    def on_key(self, event: events.Key) -> None:
        if event.key == "space":
            event.stop()
            self.action_tick()
        if not (event.character and event.character.isalpha() and len(event.key) == 1):
            return
        event.stop()
        labels = list(self.labels.values())
        start = -1 if self.highlighted is None else self.highlighted
        for step in range(1, len(labels) + 1):
            index = (start + step) % len(labels)
            if labels[index].lower().startswith(event.character.lower()):
                self.highlighted = index
                return


class ChoiceList(OptionList):
    """One of a few choices, always in view: the arrows or the first letter choose, and the
    choice is marked in text (●). Enter is left to the form."""

    _inherit_bindings = False
    BINDINGS = [b for b in OptionList.BINDINGS if getattr(b, "key", "") != "enter"]

    def __init__(self, choices: list[tuple[str, object]], value=None, **kwargs) -> None:
        self.choices = choices
        self.value = value
        # Options given to OptionList's constructor highlight the first, which would choose it:
        # a choice the facilitator did not make. Added afterwards, none is highlighted.
        super().__init__(**kwargs)
        self.add_options(self._rows())

    def _rows(self) -> list[Option]:
        return [
            Option(Content(f"{'●' if v == self.value else '○'} {label}"))
            for label, v in self.choices
        ]

    def on_mount(self) -> None:
        values = [v for _, v in self.choices]
        self.highlighted = values.index(self.value) if self.value in values else None

    @on(OptionList.OptionHighlighted)
    def _choose(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        value = self.choices[event.option_index][1]
        if value != self.value:
            self.value = value
            highlighted = self.highlighted
            self.set_options(self._rows())
            self.highlighted = highlighted

    def on_key(self, event: events.Key) -> None:
        if not (event.character and event.character.isalpha() and len(event.key) == 1):
            return
        event.stop()
        start = -1 if self.highlighted is None else self.highlighted
        for step in range(1, len(self.choices) + 1):
            index = (start + step) % len(self.choices)
            if self.choices[index][0].lower().startswith(event.character.lower()):
                self.highlighted = index
                return


class PersonField(Widget):
    """Who: type a name, the start of one or initials; Up and Down go through everyone
    present. Whom the typing means is shown beside it in words before saving."""

    class Changed(Message):
        """Whom the field means may have changed."""

        def __init__(self, field: PersonField) -> None:
            super().__init__()
            self.field = field

        @property
        def control(self) -> PersonField:
            return self.field

    DEFAULT_CSS = """
    PersonField { height: 1; layout: horizontal; }
    PersonField Input { width: 24; }
    PersonField .who { width: 1fr; padding: 0 1; color: $text-muted; }
    """

    def __init__(
        self, pod: Pod, candidates: list[str], value: str | None = None, *, id: str
    ) -> None:
        super().__init__(id=id)
        self.pod, self.candidates = pod, candidates
        self.initial = pod.name_of(value) if value else ""

    def compose(self) -> ComposeResult:
        yield PersonInput(self.initial, placeholder="name or initials", compact=True)
        yield Static("", classes="who", markup=False)

    def on_mount(self) -> None:
        self._show()

    @property
    def matches(self) -> list[str]:
        return matching(self.pod, self.candidates, self.query_one(Input).value)

    @property
    def value(self) -> str | None:
        """The member meant, or None when no one is typed. Raises ValueError, with the reason,
        when the typing fits no one present or several people."""
        typed = self.query_one(Input).value.strip()
        found = self.matches
        if not typed:
            return None
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValueError(f"No one present is called '{typed}'.")
        raise ValueError(f"'{typed}' could be {self._names(found)}: type more of the name.")

    def _names(self, members: list[str]) -> str:
        return " or ".join(self.pod.name_of(m) for m in members)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show()
        self.post_message(self.Changed(self))

    def _show(self) -> None:
        typed = self.query_one(Input).value.strip()
        found = self.matches
        if not typed:
            text = "nobody chosen: ↑↓ or type"
        elif len(found) == 1:
            text = f"→ {self.pod.name_of(found[0])}"
        elif found:
            text = f"? {self._names(found)}"
        else:
            text = "? no one present by that name"
        self.query_one(".who", Static).update(Content(text))

    def step(self, by: int) -> None:
        """Up or Down: the next person present, by full name."""
        if not self.candidates:
            return
        found = self.matches
        index = self.candidates.index(found[0]) + by if len(found) == 1 else 0
        field = self.query_one(Input)
        field.value = self.pod.name_of(self.candidates[index % len(self.candidates)])
        field.cursor_position = len(field.value)


class PersonInput(Input):
    """It holds a choice, not words: typing chooses someone else, so its text is selected on
    focus, to be typed over (a typing that fits no one is a problem when saving, not lost)."""

    BINDINGS = [
        Binding("down", "step(1)", "Next person", show=False),
        Binding("up", "step(-1)", "Previous person", show=False),
    ]

    def action_step(self, by: int) -> None:
        self.query_ancestor(PersonField).step(by)
