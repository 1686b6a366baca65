"""The run screen's saving: every change goes to the writer at once, typing never waits for the
disk, and leaving the screen saves what is typed and not yet saved.

The run screen is split by job (see run.py): this is the bottom of its classes, holding the
session, its clock and the writer that the others use."""

from __future__ import annotations

from textual import on
from textual.message import Message
from textual.widgets import TextArea

from groupsup.domain.clock import SessionClock
from groupsup.domain.models import CaseSlot, Pod, Session, SessionStatus
from groupsup.screens.base import SubScreen
from groupsup.store.writer import SessionWriter


class RunSaving(SubScreen):
    pod: Pod
    session: Session
    clock: SessionClock  # from on_mount on, as is the writer
    writer: SessionWriter
    _shown_slot: str | None  # the slot whose text the case's fields hold
    _areas: dict[str, TextArea]  # the case's text fields, kept for on_unmount
    _welfare: TextArea | None  # the session's welfare check-in, kept for on_unmount

    @property
    def slot(self) -> CaseSlot | None:
        return self.clock.slot

    def save(self) -> bool:
        """Hand a copy to the writer: typing never waits for the disk (see store/writer.py)."""
        if self.session.status is SessionStatus.CLOSED:
            return True  # the close screen saved it closed: a copy from here would reopen it
        self.writer.submit(self.session.model_copy(deep=True))
        return True

    def save_now(self) -> bool:
        """Save before going on (the observers' notes leave their inbox only once saved)."""
        self.save()
        self.writer.flush()
        return not self.writer.failing

    class SavingNews(Message):
        """One sentence from the writer's thread (posting a message is thread-safe)."""

        def __init__(self, sentence: str) -> None:
            super().__init__()
            self.sentence = sentence

    def _told(self, sentence: str) -> None:
        self.post_message(self.SavingNews(sentence))

    @on(SavingNews)
    def _saving_news(self, news: SavingNews) -> None:
        self.notify(news.sentence, title="Saving", severity="warning", markup=False)

    def on_unmount(self) -> None:
        """Leaving or quitting: whatever is typed and not yet saved is saved now."""
        if self._welfare is not None and self._welfare.text != self.session.welfare_checkin:
            self.session.welfare_checkin = self._welfare.text
            self.save()
        slot = self.slot
        if slot is None or self._shown_slot != slot.id:
            self.writer.close()
            return
        typed = {field: area.text for field, area in self._areas.items()}
        if any(getattr(slot, field) != text for field, text in typed.items()):
            for field, text in typed.items():
                setattr(slot, field, text)
            self.save()
        self.writer.close()  # saved, or kept aside, before the screen goes
