"""The PostgreSQL store: the storage interface (`interface.Store`) on a database a whole service
shares.

Chosen by a location such as `postgresql://groupsup-db.council.local/groupsup` (credentials from
libpq's own environment variables and `.pgpass`, never from the command line). Each session keeps
its full record as jsonb beside the columns that lists, open next steps and the pod's record
need, and all of them change in the one transaction that saves the session. Revisions keep the
folder store's promise: a save that would overwrite another writer's is refused, naming them.

The schema is made and upgraded by `MIGRATIONS`, one transaction each, under an advisory lock so
that two processes opening a new database do not both build it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.json import Jsonb

from groupsup.domain.derived import VERSION as DERIVED_VERSION
from groupsup.domain.derived import StepSource, facts_of, presented_of
from groupsup.domain.errors import (
    GroupsupError,
    NotFound,
    StoreBusy,
    StoreConflict,
    StoreDamaged,
    StoreUnusable,
)
from groupsup.domain.roles import CaseRoles, SessionRoles
from groupsup.domain.vocabulary import SessionStatus
from groupsup.store.interface import AlreadyStored, note_problem

if TYPE_CHECKING:
    from groupsup.domain.models import MinutesDocument, Pod, Session
    from groupsup.store.database import OpenStep, PodView, SessionSummary

# The models (pydantic), the rules, the folder store and its files' row types (TinyDB) are
# imported where a method needs them: `report --service` and the home screen's first paint
# open the store without them.

BACKUPS_KEPT = 5
_MIGRATION_LOCK = 0x67727370  # "grsp": the advisory lock held while the schema is upgraded

# Each entry upgrades the schema by one version, in one transaction. Never edit a published one:
# add the next.
MIGRATIONS: list[str] = [
    """
    create table pods (
        id text primary key,
        name text not null,
        record jsonb not null
    );
    create table sessions (
        id text primary key,
        pod_id text not null references pods (id),
        date date not null,
        status text not null,
        slots integer not null,
        presenters text[] not null,
        revision integer not null,
        saved_by text not null,
        schema_version integer not null,
        record jsonb not null
    );
    create index sessions_by_pod on sessions (pod_id, date, id);
    create table next_steps (
        id text not null,
        session_id text not null references sessions (id) on delete cascade,
        pod_id text not null,
        agreed date not null,
        case_title text not null,
        action text not null,
        owner text,
        due date,
        status text not null,
        needs_signoff boolean not null,
        primary key (session_id, id)
    );
    create index next_steps_by_pod on next_steps (pod_id);
    create table step_reviews (
        step_id text not null,
        session_id text not null references sessions (id) on delete cascade,
        session_date date not null,
        status text not null,
        note text not null,
        primary key (session_id, step_id)
    );
    create index step_reviews_by_step on step_reviews (step_id);
    create table pod_facts (
        session_id text primary key references sessions (id) on delete cascade,
        pod_id text not null,
        facts jsonb not null
    );
    create index pod_facts_by_pod on pod_facts (pod_id);
    create table observer_notes (
        key bigserial primary key,
        session_id text not null,
        note_id text not null,
        note bytea not null,
        set_aside boolean not null default false,
        posted timestamptz not null default now()
    );
    create index observer_notes_waiting on observer_notes (session_id) where not set_aside;
    create table backups (
        name text primary key,
        reason text not null,
        taken timestamptz not null default now(),
        pods jsonb not null
    );
    create table backup_sessions (
        backup text not null references backups (name) on delete cascade,
        id text not null,
        schema_version integer not null,
        record jsonb not null,
        primary key (backup, id)
    );
    """,
    # Access: who may see and change which pod (row-level security; the tables' owner, who
    # made them, is not bound by it). See the README's "A whole service".
    """
    create table pod_access (
        pod_id text not null references pods (id) on delete cascade,
        role name not null,
        primary key (pod_id, role)
    );
    create function groupsup_may_write(pod text) returns boolean
        language sql stable
        as $$ select exists (
            select 1 from pod_access a where a.pod_id = pod and a.role = current_user
        ) $$;
    create function groupsup_reads_all() returns boolean
        language sql stable
        as $$ select exists (
            select 1 from pg_roles r
            where r.rolname = 'groupsup_service' and pg_has_role(current_user, r.oid, 'member')
        ) $$;
    alter table pod_access enable row level security;
    create policy own_access on pod_access for select using (role = current_user);
    alter table pods enable row level security;
    create policy facilitator on pods using (groupsup_may_write(id));
    create policy service on pods for select using (groupsup_reads_all());
    alter table sessions enable row level security;
    create policy facilitator on sessions using (groupsup_may_write(pod_id));
    create policy service on sessions for select using (groupsup_reads_all());
    alter table next_steps enable row level security;
    create policy facilitator on next_steps using (groupsup_may_write(pod_id));
    create policy service on next_steps for select using (groupsup_reads_all());
    alter table pod_facts enable row level security;
    create policy facilitator on pod_facts using (groupsup_may_write(pod_id));
    create policy service on pod_facts for select using (groupsup_reads_all());
    alter table step_reviews enable row level security;
    create policy through_session on step_reviews
        using (session_id in (select id from sessions));
    alter table observer_notes enable row level security;
    create policy through_session on observer_notes
        using (session_id in (select id from sessions));
    """,
    # Observers joining through the database, from any machine: each session's join codes,
    # and who is on which screen (each observer's screen says so every few seconds).
    """
    create table join_codes (
        session_id text primary key references sessions (id) on delete cascade,
        codes bytea not null
    );
    create table observers_present (
        session_id text not null references sessions (id) on delete cascade,
        member_id text not null,
        connection text not null,
        seen timestamptz not null,
        primary key (session_id, member_id)
    );
    alter table join_codes enable row level security;
    create policy through_session on join_codes
        using (session_id in (select id from sessions));
    alter table observers_present enable row level security;
    create policy through_session on observers_present
        using (session_id in (select id from sessions));
    """,
    # The pods' own session formats, so that whoever runs or joins a session on any machine
    # has its format. Every role may read them; who may add one is the administrator's grant.
    """
    create table session_formats (
        id text primary key,
        toml bytea not null
    );
    """,
    # Which groupsup made the derived rows (derived.VERSION): older ones are made again.
    """
    create table derived_version (version text not null);
    insert into derived_version values ('');
    """,
    # A backup's sessions are seen by whoever may see the sessions themselves.
    """
    alter table backup_sessions enable row level security;
    create policy facilitator on backup_sessions using (groupsup_may_write(record ->> 'pod_id'));
    create policy service on backup_sessions for select using (groupsup_reads_all());
    """,
    # Each next step keeps its latest review from a later session, which the database keeps
    # up to date as reviews come and go (at commit, so that rewriting a session's reviews
    # unchanged touches no other row): the open steps are then read alone, without looking up
    # a review for every step ever agreed (10,800 at 1,200 sessions).
    """
    alter table next_steps add column review_status text, add column review_note text;
    create function groupsup_latest_review(step text, agreed date, agreed_in text)
        returns table (status text, note text)
        language sql stable
        as $$ select r.status, r.note from step_reviews r
              where r.step_id = step and (r.session_date, r.session_id) > (agreed, agreed_in)
                and r.status <> 'open'
              order by r.session_date desc, r.session_id desc limit 1 $$;
    create index step_reviews_latest on step_reviews (step_id, session_date desc, session_id desc)
        where status <> 'open';
    create index next_steps_by_step on next_steps (id);
    create function groupsup_review_agreed_step() returns trigger
        language plpgsql
        as $$ begin
            select r.status, r.note into new.review_status, new.review_note
            from groupsup_latest_review(new.id, new.agreed, new.session_id) r;
            return new;
        end $$;
    create trigger latest_review before insert on next_steps
        for each row execute function groupsup_review_agreed_step();
    create function groupsup_review_reviewed_steps() returns trigger
        language plpgsql
        as $$ begin
            update next_steps s set review_status = latest.status, review_note = latest.note
            from next_steps step
            left join groupsup_latest_review(step.id, step.agreed, step.session_id) latest
                on true
            where (s.session_id, s.id) = (step.session_id, step.id)
              and step.id = coalesce(new.step_id, old.step_id)
              and (s.review_status, s.review_note) is distinct from (latest.status, latest.note);
            return null;
        end $$;
    create constraint trigger latest_review after insert or delete on step_reviews
        deferrable initially deferred
        for each row execute function groupsup_review_reviewed_steps();
    update next_steps s set (review_status, review_note) = (
        select r.status, r.note from groupsup_latest_review(s.id, s.agreed, s.session_id) r);
    create index next_steps_open on next_steps (pod_id)
        where coalesce(review_status, status) not in ('done', 'no longer needed');
    analyze next_steps;
    """,
    # The cases each held session presented with a genogram or history (`derived.presented_of`),
    # so that starting a session finds a case's last presentation without reading the others.
    """
    create table presented_cases (
        session_id text not null references sessions (id) on delete cascade,
        pod_id text not null,
        held_on date not null,
        position integer not null,
        case_key text not null,
        primary key (session_id, position)
    );
    create index presented_cases_by_case on presented_cases (pod_id, case_key);
    alter table presented_cases enable row level security;
    create policy facilitator on presented_cases using (groupsup_may_write(pod_id));
    create policy service on presented_cases for select using (groupsup_reads_all());
    """,
]

# What opening the store looks at: the schema's version, which groupsup made the derived rows,
# and whether this role owns the tables (only the owner makes derived rows again).
_OPENING = """
    select (select max(version) from groupsup_schema), (select version from derived_version),
           pg_has_role(relowner, 'USAGE')
    from pg_class where oid = 'sessions'::regclass
"""

# The open steps of a pod: each step with its latest review from a later session, if any (a
# line still 'open' has not been reviewed yet), kept on the step (the seventh migration).
# The statuses are StepStatus's values.
_OPEN_STEPS = """
    select s.id, s.pod_id, s.session_id, s.agreed, s.case_title, s.action, s.owner, s.due,
           coalesce(s.review_status, s.status) as status, coalesce(s.review_note, '') as note,
           s.needs_signoff
    from next_steps s
    where coalesce(s.review_status, s.status) not in ('done', 'no longer needed')
      and (%(pod)s::text is null or s.pod_id = %(pod)s)
    order by s.due nulls last, s.agreed, s.session_id, s.id
"""

# The next steps whose kept latest review is not the one their reviews say (check).
_REVIEWS_ASTRAY = """
    select distinct s.session_id
    from next_steps s left join groupsup_latest_review(s.id, s.agreed, s.session_id) r on true
    where (s.review_status, s.review_note) is distinct from (r.status, r.note)
"""

# The steps of a pod open before a session (a day and an id: only the sessions before it
# count), each with the session that agreed it and the one whose review last said how it
# stands, if any (a line still 'open' has not said yet).
_OPEN_STEPS_BEFORE = """
    select s.id, s.session_id, r.session_id
    from next_steps s
    left join lateral (
        select review.status, review.session_id
        from step_reviews review
        where review.step_id = s.id
          and (review.session_date, review.session_id) > (s.agreed, s.session_id)
          and (review.session_date, review.session_id) < (%(day)s, %(session)s)
          and review.status <> 'open'
        order by review.session_date desc, review.session_id desc
        limit 1
    ) r on true
    where s.pod_id = %(pod)s and (s.agreed, s.session_id) < (%(day)s, %(session)s)
      and coalesce(r.status, s.status) not in ('done', 'no longer needed')
"""

# Of each case asked for, the session held on or before a day (other than some) that last
# presented it with a genogram or history; the earliest id on that day.
_LAST_PRESENTATIONS = """
    select distinct on (case_key) case_key, session_id
    from presented_cases
    where pod_id = %(pod)s and case_key = any(%(cases)s) and held_on <= %(day)s
      and not session_id = any(%(besides)s)
    order by case_key, held_on desc, session_id
"""

# Who held which role in each session (`domain.roles`): its id, date and status, and of each
# case slot only the fields named in `fields`, without the rest of its record.
_SESSION_ROLES = """
    select id, schema_version, jsonb_build_object(
        'id', record -> 'id', 'date', record -> 'date', 'status', record -> 'status',
        'slots', case jsonb_typeof(record -> 'slots') when 'array' then (
            select coalesce(jsonb_agg(
                case jsonb_typeof(slot) when 'object' then (
                    select coalesce(jsonb_object_agg(key, value), '{}') from jsonb_each(slot)
                    where key = any(%(fields)s)
                ) else slot end
                order by place), '[]')
            from jsonb_array_elements(record -> 'slots') with ordinality as slots(slot, place)
        ) end
    )
    from sessions where id = any(%(ids)s)
"""


class DerivedRows(NamedTuple):
    """What a session's save writes beside it: its next steps, its reviews of earlier ones,
    once closed (or postponed or cancelled) its facts for the pod's record, and once held the
    cases it presented with a genogram or history."""

    steps: list[tuple]
    reviews: list[tuple]
    facts: dict | None
    presented: list[tuple]

    @classmethod
    def of(cls, session: Session) -> DerivedRows:
        return cls(
            [
                (
                    step.id,
                    session.id,
                    session.pod_id,
                    session.date,
                    slot.title,
                    step.action,
                    step.owner,
                    step.due,
                    step.status.value,
                    step.needs_signoff,
                )
                for slot in session.slots
                for step in slot.next_steps
            ],
            [
                (review.step_id, session.id, session.date, review.status.value, review.note)
                for review in session.review
            ],
            facts_of(session) if session.status.in_the_record else None,
            [
                (session.id, session.pod_id, session.date, position, case)
                for position, case in enumerate((presented_of(session) or {}).get("cases", []))
            ],
        )


# A pod's closed sessions' facts in date order; with a day `since`, those from that day on and
# the pod's first. Only the sessions wanted are read, through the pod's index by date.
_REPORT_FACTS = """
    select p.facts
    from sessions s join pod_facts p on p.session_id = s.id
    where s.pod_id = %(pod)s
      and (%(since)s::date is null or s.date >= %(since)s or s.id = (
          select first.id from sessions first join pod_facts f on f.session_id = first.id
          where first.pod_id = %(pod)s order by first.date, first.id limit 1))
    order by s.date, s.id
"""


UNDO_REASON = "before restore"  # the backup a restore takes first, of the state as it stood


@dataclass(frozen=True)
class DatabaseBackup:
    """A backup kept in the database, as `groupsup restore` lists it."""

    folder: Path  # its name, as a path, like a folder store's backups
    reason: str
    made: dt.datetime
    sessions: int
    problem: str = ""

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def checked(self) -> bool:
        """Every backup but the one a restore takes first is of a sound state."""
        return self.reason != UNDO_REASON


def _pod(record: dict) -> Pod:
    from groupsup.domain.models import Pod

    return Pod.model_validate(record)


def redacted(location: str) -> str:
    """The location as it may be shown or logged: host, port, database and user, no secret."""
    try:
        parts = conninfo_to_dict(location)
    except psycopg.ProgrammingError:
        return "the PostgreSQL store (its location could not be read)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host', '')}{port}/{parts.get('dbname', '')}"


def _said(error: psycopg.Error, line: int) -> str:
    """One line of what libpq said (of a failed connection, the last: the first names the
    host; of a lost one, the first: the rest explains it)."""
    lines = str(error).strip().splitlines() or [""]
    return lines[line].strip()


def local_folder(location: str) -> Path:
    """This machine's folder for a database store's local files (formats, exports, join codes):
    beside the default folder store, or in the user data folder when there is none."""
    import hashlib

    from platformdirs import user_data_path

    from groupsup.store.files import private_folder
    from groupsup.store.locations import default_store

    default = default_store()
    base = default.parent if isinstance(default, Path) else user_data_path("groupsup", False)
    digest = hashlib.sha256(redacted(location).encode()).hexdigest()[:12]
    return private_folder(base / "postgresql" / digest)


class PostgresStore:
    """A store in a PostgreSQL database: see the module's docstring."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.damaged: dict[str, str] = {}
        self._revisions: dict[str, int] = {}  # revision of each session as this process saw it
        # The derived rows this process saved with each session, and the session's revision:
        # a save over that revision that derives the same rows (most edits) leaves them be.
        self._derived: dict[str, tuple[int | None, DerivedRows]] = {}
        # One transaction at a time on the connection: the app saves from a writer thread while
        # its screens read and take in notes.
        self._one_at_a_time = threading.RLock()
        self._db = self._connect()
        self._open_tables()

    def _connect(self) -> psycopg.Connection:
        try:
            return psycopg.connect(self.location, autocommit=True)
        except psycopg.OperationalError as error:
            raise StoreBusy(f"Cannot reach {redacted(self.location)}: {_said(error, -1)}") from None

    @cached_property
    def root(self) -> Path:
        """Made when first asked for: `report --service` needs no local folder."""
        return local_folder(self.location)

    def __repr__(self) -> str:
        return f"PostgresStore({redacted(self.location)})"

    # -- schema ------------------------------------------------------------------------

    def _open_tables(self) -> None:
        """The tables upgraded and their derived rows made current. One look first, one round
        trip: they nearly always are, and need no lock then."""
        try:
            row = self._row(_OPENING)
        except psycopg.errors.UndefinedTable:  # a new database, or one older than the look
            row = None
        if row is None or row[0] != len(MIGRATIONS):
            self._upgrade_schema()
            row = self._row(_OPENING)
        made_by, owner = row[1:] if row else ("", False)
        self._make_derived_current(made_by, owner)

    def _upgrade_schema(self) -> None:
        with self._db.transaction():
            self._db.execute("select pg_advisory_xact_lock(%s)", [_MIGRATION_LOCK])
            # A facilitator's role may not create tables: only make the table when it is missing.
            if self._db.execute("select to_regclass('groupsup_schema')").fetchone() == (None,):
                self._db.execute("create table groupsup_schema (version integer not null)")
            row = self._db.execute("select max(version) from groupsup_schema").fetchone()
        version = (row[0] if row else None) or 0
        if version > len(MIGRATIONS):
            raise StoreDamaged(
                f"{redacted(self.location)} was made by a newer groupsup (schema {version}); "
                "upgrade groupsup to open it."
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self._db.transaction():
                self._db.execute("select pg_advisory_xact_lock(%s)", [_MIGRATION_LOCK])
                done = self._db.execute("select max(version) from groupsup_schema").fetchone()
                if ((done and done[0]) or 0) >= number:  # another process upgraded it meanwhile
                    continue
                try:
                    self._db.execute(script)
                except psycopg.errors.InsufficientPrivilege:
                    raise StoreUnusable(
                        f"{redacted(self.location)} needs its tables upgraded for this groupsup, "
                        "which your database role may not do: ask whoever runs it to open it "
                        "first ('groupsup check' with the tables' owner's role)."
                    ) from None
                self._db.execute("insert into groupsup_schema values (%s)", [number])

    def _rows(self, query: str, values: Sequence | Mapping | None = None) -> list[tuple]:
        """A query's rows. Never in the middle of a save another thread has open on the
        connection (the app's saving thread sends a save's statements all at once)."""
        with self._connection() as db:
            return db.execute(query, values).fetchall()

    def _row(self, query: str, values: Sequence | Mapping | None = None) -> tuple | None:
        with self._connection() as db:
            return db.execute(query, values).fetchone()

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        """The connection, this thread's alone meanwhile. One lost (the server restarted, the
        network dropped) is said by the use that finds out, and made again for the next."""
        with self._one_at_a_time:
            if self._db.broken:
                self._db = self._connect()
            try:
                yield self._db
            except psycopg.Error as error:
                if not self._db.broken:
                    raise
                raise StoreBusy(
                    f"groupsup lost its connection to {redacted(self.location)} "
                    f"({_said(error, 0)}); try again: it connects again."
                ) from None

    def _make_derived_current(self, made_by: str, owner: bool) -> None:
        """Derived rows made by an older groupsup (whose rows had another shape) are made
        again, once, from the sessions. Only by a role that owns the tables, which sees every
        pod's sessions: another role's would stop at its own pods (see the README's "Roles")."""
        if made_by == DERIVED_VERSION or not owner:
            return
        with self._transaction() as db:
            db.execute("select pg_advisory_xact_lock(%s)", [_MIGRATION_LOCK])
            if db.execute("select version from derived_version").fetchone() != (DERIVED_VERSION,):
                self.rebuild_derived()
                db.execute("update derived_version set version = %s", [DERIVED_VERSION])

    @contextmanager
    def _transaction(self, pipelined: bool = False) -> Iterator[psycopg.Connection]:
        """One transaction; `pipelined`, its statements are sent without waiting for each
        result (psycopg's pipeline mode), until a result is fetched."""
        with (
            self._refusals_said(),
            self._connection() as db,
            db.pipeline() if pipelined else nullcontext(),
            db.transaction(),
        ):
            yield db

    @contextmanager
    def _refusals_said(self) -> Iterator[None]:
        """The database's refusals of a change, in the facilitator's words."""
        try:
            yield
        except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
            # (A deadlock: two saves changing the same earlier steps' latest reviews at once.)
            raise StoreBusy(f"{redacted(self.location)} is busy; try again.") from None
        except psycopg.errors.InsufficientPrivilege:
            raise GroupsupError(
                "Your database role may not change this pod's records; ask whoever runs "
                f"{redacted(self.location)} to give you the pod."
            ) from None

    # -- pods ----------------------------------------------------------------------------

    def pods(self) -> list[Pod]:
        rows = self._rows("select record from pods order by lower(name), id")
        return [_pod(record) for (record,) in rows]

    def pod_views(self) -> list[PodView]:
        from groupsup.store.database import PodView

        return [PodView.from_row(record) for record in self.pod_rows()]

    def pod_rows(self) -> list[dict]:
        rows = self._rows("select record from pods order by lower(name), id")
        return [record for (record,) in rows]

    def pod(self, pod_id: str) -> Pod:
        row = self._row("select record from pods where id = %s", [pod_id])
        if row is None:
            raise NotFound(f"There is no pod '{pod_id}' in this store.")
        return _pod(row[0])

    def find_pod(self, wanted: str | None) -> Pod:
        from groupsup.store.database import find_pod_row

        rows = [record for (record,) in self._rows("select record from pods")]
        return _pod(find_pod_row(rows, wanted))

    def save_pod(self, pod: Pod) -> None:
        with self._transaction() as db:
            self._upsert_pod(db, pod)

    @staticmethod
    def _upsert_pod(db: psycopg.Connection, pod: Pod) -> None:
        db.execute(
            "insert into pods (id, name, record) values (%s, %s, %s) "
            "on conflict (id) do update set name = excluded.name, record = excluded.record",
            [pod.id, pod.name, Jsonb(pod.model_dump(mode="json"))],
        )

    def is_empty(self) -> bool:
        row = self._row(
            "select not exists (select 1 from pods) and not exists (select 1 from sessions)"
        )
        return bool(row and row[0])

    # -- sessions ------------------------------------------------------------------------

    def summaries(self, pod_id: str | None = None) -> list[SessionSummary]:
        from groupsup.store.database import SessionSummary

        rows = self._rows(
            "select id, pod_id, date, status, slots, presenters from sessions "
            "where %(pod)s::text is null or pod_id = %(pod)s order by date, id",
            {"pod": pod_id},
        )
        return [
            SessionSummary(id, pod, date, SessionStatus(status), slots, list(presenters))
            for id, pod, date, status, slots, presenters in rows
        ]

    def session(self, session_id: str) -> Session:
        row = self._row(
            "select revision, schema_version, record from sessions where id = %s", [session_id]
        )
        if row is None:
            raise NotFound(f"There is no session '{session_id}' in this store.")
        revision, version, record = row
        session = self._parse(session_id, version, record)
        self._revisions[session_id] = revision
        return session

    def _parse(self, session_id: str, version: int, record: dict) -> Session:
        from pydantic import ValidationError

        from groupsup.domain.errors import explain
        from groupsup.domain.models import Session

        try:
            return Session.model_validate(self._upgraded(session_id, version, record))
        except ValidationError as error:
            raise StoreDamaged(
                f"{self._where(session_id)} is not valid: {explain(error)}"
            ) from None

    def _upgraded(self, session_id: str, version: int | None, record: dict) -> dict:
        """A stored record as this groupsup's schema has it; StoreDamaged for one it cannot
        read (written by a newer groupsup)."""
        from groupsup.store.migrations import UnknownVersion, upgrade

        try:
            return upgrade({"schema_version": version, "session": record})["session"]
        except UnknownVersion as error:
            raise StoreDamaged(f"{self._where(session_id)} cannot be opened: {error}.") from None

    def _where(self, session_id: str) -> str:
        return f"Session {session_id} in {redacted(self.location)}"

    def sessions(self, pod_id: str | None = None) -> list[Session]:
        rows = self._rows(
            "select id, revision, schema_version, record from sessions "
            "where %(pod)s::text is null or pod_id = %(pod)s order by date, id",
            {"pod": pod_id},
        )
        found = []
        for session_id, revision, version, record in rows:
            try:
                found.append(self._parse(session_id, version, record))
            except StoreDamaged as error:
                self.damaged[session_id] = str(error)
            else:
                self.damaged.pop(session_id, None)
                self._revisions[session_id] = revision
        return found

    def save_session(self, session: Session) -> None:
        """Every statement is sent at once (a pipeline): the save, made only over the revision
        this process last saw, and its derived records; then the pod's rules are checked and
        the revision looked at, and the transaction is rolled back if either refuses. Saving
        an edit during a session waits on two round trips to the server, not ten."""
        from groupsup.domain import rules

        seen = self._revisions.get(session.id, 0)
        with self._transaction(pipelined=True) as db:
            pod = db.execute("select record from pods where id = %s", [session.pod_id])
            saved = self._write_session(db, session, seen + 1, over=seen)
            found = pod.fetchone()  # waits for every statement sent
            if found is None:
                raise NotFound(f"There is no pod '{session.pod_id}' in this store.")
            rules.check_session(_pod(found[0]), session)
            if saved.fetchone() is None:  # another writer's revision is there: refused
                (who,) = db.execute(
                    "select saved_by from sessions where id = %s", [session.id]
                ).fetchone() or ("",)
                raise StoreConflict(
                    f"The session of {session.date} was saved by another groupsup "
                    f"({who}) since you opened it, so your change was not saved. "
                    "Go back and open the session again."
                )
        self._revisions[session.id] = seen + 1
        self._derived[session.id] = (seen + 1, DerivedRows.of(session))

    def update_session(self, session_id: str, change: Callable[[Session], None]) -> Session:
        from groupsup.domain import rules

        with self._transaction() as db:
            db.execute("select 1 from sessions where id = %s for update", [session_id])
            session = self.session(session_id)
            change(session)
            rules.check_session(self.pod(session.pod_id), session)
            self._write_session(db, session, self._revisions[session_id] + 1)
        self._revisions[session_id] += 1
        return session

    def _write_session(
        self, db: psycopg.Connection, session: Session, revision: int, over: int | None = None
    ) -> psycopg.Cursor:
        """The session as `revision`, and everything derived from it, inside the caller's
        transaction. With `over`, only over that revision: the cursor then returns no row when
        the stored one is another (the caller refuses the save)."""
        from groupsup.domain.models import SCHEMA_VERSION
        from groupsup.store.database import SessionSummary
        from groupsup.store.folder import _writer as writer

        summary = SessionSummary.of(session)
        saved = db.execute(
            "insert into sessions (id, pod_id, date, status, slots, presenters, revision, "
            "saved_by, schema_version, record) "
            "values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb) "
            "on conflict (id) do update set pod_id = excluded.pod_id, date = excluded.date, "
            "status = excluded.status, slots = excluded.slots, "
            "presenters = excluded.presenters, revision = excluded.revision, "
            "saved_by = excluded.saved_by, schema_version = excluded.schema_version, "
            "record = excluded.record "
            "where %s::integer is null or sessions.revision = %s returning revision",
            [
                session.id,
                session.pod_id,
                session.date,
                summary.status.value,
                summary.slots,
                summary.presenters,
                revision,
                writer(),
                SCHEMA_VERSION,
                session.model_dump_json(),  # pydantic's own JSON: a quarter of the time
                over,
                over,
            ],
        )
        rows = DerivedRows.of(session)
        if self._derived.get(session.id) != (over, rows):  # else the rows stored are these
            self._write_derived(db, session, rows)
        return saved

    @staticmethod
    def _write_derived(db: psycopg.Connection, session: Session, rows: DerivedRows) -> None:
        for table in ("next_steps", "step_reviews", "pod_facts", "presented_cases"):
            db.execute(f"delete from {table} where session_id = %s", [session.id])
        with db.cursor() as cursor:
            cursor.executemany(
                "insert into next_steps (id, session_id, pod_id, agreed, case_title, action, "
                "owner, due, status, needs_signoff) "
                "values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                rows.steps,
            )
            cursor.executemany(
                "insert into step_reviews (step_id, session_id, session_date, status, note) "
                "values (%s, %s, %s, %s, %s)",
                rows.reviews,
            )
            cursor.executemany(
                "insert into presented_cases (session_id, pod_id, held_on, position, case_key) "
                "values (%s, %s, %s, %s, %s)",
                rows.presented,
            )
        if rows.facts is not None:
            db.execute(
                "insert into pod_facts (session_id, pod_id, facts) values (%s, %s, %s)",
                [session.id, session.pod_id, Jsonb(rows.facts)],
            )

    def delete_session(self, session_id: str) -> None:
        with self._transaction() as db:
            db.execute("delete from observer_notes where session_id = %s", [session_id])
            db.execute("delete from sessions where id = %s", [session_id])
        self._revisions.pop(session_id, None)
        self._derived.pop(session_id, None)

    # -- derived records -----------------------------------------------------------------

    def open_steps(self, pod_id: str | None = None) -> list[OpenStep]:
        from groupsup.domain.vocabulary import StepStatus
        from groupsup.store.database import OpenStep

        rows = self._rows(_OPEN_STEPS, {"pod": pod_id})
        return [OpenStep._make([*row[:8], StepStatus(row[8]), row[9], row[10]]) for row in rows]

    def open_steps_before(self, pod_id: str, day: dt.date, session_id: str) -> list[StepSource]:
        rows = self._rows(_OPEN_STEPS_BEFORE, {"pod": pod_id, "day": day, "session": session_id})
        return [StepSource(*row) for row in rows]

    def last_presentations(
        self, pod_id: str, cases: Collection[str], day: dt.date, besides: Collection[str]
    ) -> dict[str, str]:
        wanted = {"pod": pod_id, "cases": list(cases), "day": day, "besides": list(besides)}
        return dict(self._rows(_LAST_PRESENTATIONS, wanted))

    def session_roles(
        self, session_ids: Sequence[str]
    ) -> tuple[list[SessionRoles], dict[str, str]]:
        wanted = {"ids": list(session_ids), "fields": list(CaseRoles._fields)}
        stored = {row[0]: row[1:] for row in self._rows(_SESSION_ROLES, wanted)}
        found: list[SessionRoles] = []
        damaged: dict[str, str] = {}
        for session_id in session_ids:
            try:
                found.append(self._roles(session_id, *stored.get(session_id, (None, None))))
            except (NotFound, StoreDamaged) as error:
                damaged[session_id] = str(error)
        return found, damaged

    def _roles(self, session_id: str, version: int | None, record: dict | None) -> SessionRoles:
        if record is None:
            raise NotFound(f"There is no session '{session_id}' in this store.")
        try:
            return SessionRoles.from_record(self._upgraded(session_id, version, record))
        except ValueError as error:
            raise StoreDamaged(f"{self._where(session_id)} is not valid ({error}).") from None

    def report_facts(self, pod_id: str, since: dt.date | None = None) -> list[dict]:
        rows = self._rows(_REPORT_FACTS, {"pod": pod_id, "since": since})
        return [facts for (facts,) in rows]

    def awaiting_agreement(self, pod_id: str) -> int:
        """Counted in the database (as `derived.awaiting_agreement` counts facts), not read out."""
        from groupsup.domain.vocabulary import RecordStage

        row = self._row(
            "select count(*) from pod_facts p "
            "cross join jsonb_array_elements(p.facts -> 'cases') c "
            "where p.pod_id = %s and c ->> 'record' = %s",
            [pod_id, RecordStage.AWAITING.value],
        )
        return row[0] if row else 0

    def rebuild_derived(self) -> None:
        """A session that cannot be read keeps the rows it had, and is named in `damaged`."""
        with self._transaction() as db:
            rows = db.execute(
                "select id, schema_version, record from sessions order by date, id for update"
            ).fetchall()
            for session_id, version, record in rows:
                try:
                    session = self._parse(session_id, version, record)
                except StoreDamaged as error:
                    self.damaged[session_id] = str(error)
                    continue
                self._write_derived(db, session, DerivedRows.of(session))

    # -- observers' notes ----------------------------------------------------------------

    def _change(self, statement: str, values: list) -> None:
        """One statement on its own, never inside a transaction another thread has open on
        the connection (the app's saving thread)."""
        with self._refusals_said(), self._connection() as db:
            db.execute(statement, values)

    def post_note(self, session_id: str, note_id: str, note: bytes) -> None:
        self._change(
            "insert into observer_notes (session_id, note_id, note) values (%s, %s, %s)",
            [session_id, note_id, note],
        )

    def waiting_notes(self, session_id: str) -> list[tuple[str, bytes]]:
        rows = self._rows(
            "select key, note from observer_notes where session_id = %s and not set_aside "
            "order by key",
            [session_id],
        )
        return [(str(key), bytes(note)) for key, note in rows]

    def sessions_with_waiting_notes(self) -> list[str]:
        rows = self._rows(
            "select distinct session_id from observer_notes where not set_aside order by 1"
        )
        return [session_id for (session_id,) in rows]

    def note_taken(self, session_id: str, key: str) -> None:
        self._change(
            "delete from observer_notes where session_id = %s and key = %s", [session_id, int(key)]
        )

    def set_note_aside(self, session_id: str, key: str) -> None:
        self._change(
            "update observer_notes set set_aside = true where session_id = %s and key = %s",
            [session_id, int(key)],
        )

    # -- the pods' own session formats --------------------------------------------------

    def own_formats(self) -> dict[str, tuple[str, bytes]]:
        rows = self._rows("select id, toml from session_formats order by id")
        where = redacted(self.location)
        return {
            format_id: (f"The session format '{format_id}' in {where}", bytes(toml))
            for format_id, toml in rows
        }

    def save_format(self, format_id: str, toml: bytes) -> None:
        self._change(
            "insert into session_formats (id, toml) values (%s, %s) "
            "on conflict (id) do update set toml = excluded.toml",
            [format_id, toml],
        )

    # -- observers joining -------------------------------------------------------------

    def join_codes(self, session_id: str | None = None) -> dict[str, bytes]:
        rows = self._rows(
            "select session_id, codes from join_codes "
            "where %(session)s::text is null or session_id = %(session)s order by session_id",
            {"session": session_id},
        )
        return {session: bytes(codes) for session, codes in rows}

    def save_join_codes(self, session_id: str, codes: bytes) -> None:
        self._change(
            "insert into join_codes (session_id, codes) values (%s, %s) "
            "on conflict (session_id) do update set codes = excluded.codes",
            [session_id, codes],
        )

    def say_present(
        self, session_id: str, member_id: str, connection: str, seen: dt.datetime
    ) -> None:
        self._change(
            "insert into observers_present (session_id, member_id, connection, seen) "
            "values (%s, %s, %s, %s) on conflict (session_id, member_id) "
            "do update set connection = excluded.connection, seen = excluded.seen",
            [session_id, member_id, connection, seen],
        )

    def leave(self, session_id: str, member_id: str, connection: str) -> None:
        self._change(
            "delete from observers_present "
            "where session_id = %s and member_id = %s and connection = %s",
            [session_id, member_id, connection],
        )

    def present(self, session_id: str) -> dict[str, tuple[str, dt.datetime]]:
        rows = self._rows(
            "select member_id, connection, seen from observers_present "
            "where session_id = %s order by member_id",
            [session_id],
        )
        return {member: (connection, seen) for member, connection, seen in rows}

    # -- backups -------------------------------------------------------------------------

    def backup(
        self, reason: str, checked: bool = True, progress=None, thorough: bool = False
    ) -> Path:
        """A copy of every pod and session kept in the database itself: the undo before a
        close or a restore (the server's own backups, such as pg_dump, are the council's).
        Each copies every record afresh, so `thorough` asks nothing more."""
        from groupsup.domain.models import slug

        with self._transaction() as db:
            if checked and (problems := self._damage()):
                raise StoreDamaged(problems[0])
            name = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%M%S.%f") + f"-{slug(reason)}"
            pods = [record for (record,) in db.execute("select record from pods").fetchall()]
            db.execute(
                "insert into backups (name, reason, pods) values (%s, %s, %s)",
                [name, reason, Jsonb(pods)],
            )
            db.execute(
                "insert into backup_sessions (backup, id, schema_version, record) "
                "select %s, id, schema_version, record from sessions",
                [name],
            )
            db.execute(
                "delete from backups where name not in "
                "(select name from backups order by name desc limit %s)",
                [BACKUPS_KEPT],
            )
        if progress is not None:
            progress(1, 1)
        return Path(name)

    def backups(self) -> list[DatabaseBackup]:
        rows = self._rows(
            "select b.name, b.reason, b.taken, count(s.id) from backups b "
            "left join backup_sessions s on s.backup = b.name "
            "group by b.name order by b.name desc"
        )
        return [
            DatabaseBackup(Path(name), reason, taken, count) for name, reason, taken, count in rows
        ]

    def restore(self, name: str, damaged_too: bool = False) -> Path:
        row = self._row("select pods from backups where name = %s", [name])
        if row is None:
            raise NotFound(f"There is no backup '{name}'; 'groupsup restore' lists them.")
        kept = self._rows(
            "select id, schema_version, record from backup_sessions where backup = %s", [name]
        )
        sessions = []
        for session_id, version, record in kept:
            try:
                sessions.append(self._parse(session_id, version, record))
            except StoreDamaged:
                if not damaged_too:
                    raise
        undo = self.backup(UNDO_REASON, checked=False)
        with self._transaction() as db:
            # Each session put back as a revision after any given out of it: a copy read before
            # the restore is refused, never saved over the restored session.
            live = dict(db.execute("select id, revision from sessions for update").fetchall())
            db.execute("delete from sessions")
            db.execute("delete from pods")
            for pod in row[0]:
                self._upsert_pod(db, _pod(pod))
            for session in sessions:
                self._write_session(db, session, live.get(session.id, 0) + 1)
        self._revisions.clear()
        return undo

    # -- check ---------------------------------------------------------------------------

    def quick_check(self) -> list[str]:
        """Nothing to glance at: the database keeps its rows whole (`check` compares them)."""
        return []

    def check(self) -> list[str]:
        return self._damage() + self._note_problems()

    def _damage(self) -> list[str]:
        """What is wrong with the records a backup keeps (a note set aside is not: it waits)."""
        from pydantic import ValidationError

        from groupsup.domain.errors import explain
        from groupsup.domain.formats import format_problems

        problems = format_problems(self.own_formats())
        try:
            self.pods()
        except ValidationError as error:
            problems.append(f"A pod in {redacted(self.location)} is not valid: {explain(error)}")
        rows = self._rows("select id, schema_version, record from sessions")
        sessions = []
        for session_id, version, record in rows:
            try:
                sessions.append(self._parse(session_id, version, record))
            except StoreDamaged as error:
                problems.append(str(error))
        return problems + self._derived_problems(sessions)

    def _note_problems(self) -> list[str]:
        notes = self._rows(
            "select session_id, key, note, set_aside from observer_notes order by session_id, key"
        )
        return [
            problem
            for session_id, key, note, set_aside in notes
            if (
                problem := note_problem(
                    f"Note {key} in the inbox of session {session_id}", bytes(note), set_aside
                )
            )
        ]

    def _derived_problems(self, sessions: list[Session]) -> list[str]:
        """Sessions whose next steps, reviews, pod facts or presented cases disagree with their
        record."""
        steps: dict[str, set[str]] = {}
        for session_id, step_id in self._rows("select session_id, id from next_steps"):
            steps.setdefault(session_id, set()).add(step_id)
        reviews: dict[str, set[str]] = {}
        for session_id, step_id in self._rows("select session_id, step_id from step_reviews"):
            reviews.setdefault(session_id, set()).add(step_id)
        facts: dict[str, dict] = dict(self._rows("select session_id, facts from pod_facts"))
        astray = {session_id for (session_id,) in self._rows(_REVIEWS_ASTRAY)}
        presented: dict[str, list[str]] = {}
        for session_id, case in self._rows(
            "select session_id, case_key from presented_cases order by session_id, position"
        ):
            presented.setdefault(session_id, []).append(case)
        problems = []
        for session in sessions:
            recorded = session.status.in_the_record
            agree = {
                "next steps": steps.get(session.id, set())
                == {step.id for step in session.next_steps}
                and session.id not in astray,
                "reviews": reviews.get(session.id, set())
                == {review.step_id for review in session.review},
                "pod facts": facts.get(session.id) == (facts_of(session) if recorded else None),
                "presented cases": presented.get(session.id, [])
                == (presented_of(session) or {}).get("cases", []),
            }
            problems += [
                f"The {what} of session {session.id} in {redacted(self.location)} do not agree "
                "with the session; 'groupsup check --repair' makes them again."
                for what, agreeing in agree.items()
                if not agreeing
            ]
        return problems

    def repair(self) -> list[str]:
        self.rebuild_derived()
        return self.check()

    # -- import --------------------------------------------------------------------------

    def add_documents(self, documents: list[MinutesDocument], replace: bool = False) -> None:
        from groupsup.store.folder import merge_pod

        with self._transaction() as db:
            ids = [document.session.id for document in documents]
            stored = {
                session_id: revision
                for session_id, revision in db.execute(
                    "select id, revision from sessions where id = any(%s) for update", [ids]
                ).fetchall()
            }
            if stored and not replace:
                raise AlreadyStored(next(i for i in ids if i in stored))
            pods = {pod.id: pod for pod in self.pods()}
            for document in documents:
                pods[document.pod.id] = merge_pod(pods.get(document.pod.id), document.pod)
            for pod in pods.values():
                self._upsert_pod(db, pod)
            for document in documents:
                revision = stored.get(document.session.id, 0) + 1
                self._write_session(db, document.session, revision)
                self._revisions[document.session.id] = revision
