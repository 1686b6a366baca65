"""A whole service on one PostgreSQL store: the command line on a database, and moving a
service between a folder store and PostgreSQL (and back) without changing a word."""

from __future__ import annotations

import datetime as dt
import json

import psycopg
import pytest
from conftest import DEMO_DAY

from groupsup.cli import main
from groupsup.domain.models import MinutesDocument
from groupsup.outputs import minutes
from groupsup.store import demo
from groupsup.store.interface import open_store

pytestmark = pytest.mark.slow


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def service(pods: int, sessions: int) -> list[MinutesDocument]:
    """`pods` pods of `sessions` monthly sessions each (one case each, to keep the test quick)."""
    documents = []
    for pod, held in demo.busy_service(pods * sessions, DEMO_DAY):
        for session in held:
            session.slots = session.slots[:1]
            documents.append(MinutesDocument(pod=pod, session=session))
    return documents


def exports(store) -> dict[str, str]:
    pods = {pod.id: pod for pod in store.pods()}
    return {
        session.id: minutes.render(pods[session.pod_id], session, minutes.Format.JSON)
        for session in store.sessions()
    }


@pytest.mark.timeout(300)  # 1,200 sessions through both engines, on a shared machine
def test_a_service_moves_to_postgresql_and_back_with_identical_exports(
    tmp_path, postgres_location, capsys
):
    folder = open_store(tmp_path / "service")
    folder.add_documents(service(20, 60))
    before = exports(folder)
    assert len(before) == 1200

    code, out, err = run(capsys, "copy-store", str(tmp_path / "service"), postgres_location)
    assert (code, err) == (0, "") and "Copied 1200 sessions" in out
    database = open_store(postgres_location)
    assert exports(database) == before
    assert {pod.id for pod in database.pods()} == {f"pod-{n}" for n in range(1, 21)}

    code, out, err = run(capsys, "copy-store", postgres_location, str(tmp_path / "back"))
    assert (code, err) == (0, "")
    assert exports(open_store(tmp_path / "back")) == before

    listed = [
        run(capsys, "--store", where, "list")[1]
        for where in (str(tmp_path / "service"), postgres_location)
    ]
    assert listed[0] == listed[1] and listed[0].count("\n") == 1200
    reports = [
        run(capsys, "--store", where, "report", "--pod", "Pod 7", "--format", "json")[1]
        for where in (str(tmp_path / "service"), postgres_location)
    ]
    assert reports[0] == reports[1] and '"Pod 7"' in reports[0]
    views = [
        run(capsys, "--store", where, "report", "--service", "--format", "json")[1]
        for where in (str(tmp_path / "service"), postgres_location)
    ]
    assert views[0] == views[1]
    pods = json.loads(views[1])["pods"]
    assert sorted(row["pod"] for row in pods) == sorted(f"Pod {n}" for n in range(1, 21))
    assert all(row["sessions"]["held"] > 0 for row in pods)
    code, markdown, _ = run(capsys, "--store", postgres_location, "report", "--service")
    assert code == 0 and all(f"\n| Pod {n} | " in markdown for n in range(1, 21))


def test_copying_into_a_store_that_holds_records_is_refused_and_changes_nothing(
    tmp_path, postgres_location, capsys
):
    demo.fill(open_store(postgres_location), DEMO_DAY)
    demo.fill(open_store(tmp_path / "folder"), DEMO_DAY + dt.timedelta(days=1))
    before = exports(open_store(postgres_location))
    code, _, err = run(capsys, "copy-store", str(tmp_path / "folder"), postgres_location)
    assert code == 2 and "already holds records" in err
    assert exports(open_store(postgres_location)) == before


def test_a_pods_own_format_is_added_to_the_database_and_copied_with_the_service(
    tmp_path, postgres_location, capsys
):
    from conftest import SHORT_FORMAT

    broken, short = tmp_path / "broken.toml", tmp_path / "short.toml"
    broken.write_text("name = 'Broken'\nphases = [")
    short.write_bytes(SHORT_FORMAT)
    code, _, err = run(capsys, "--store", postgres_location, "add-format", str(broken))
    assert code == 2 and err.startswith(f"groupsup: Format file {broken} is not valid TOML")
    assert open_store(postgres_location).own_formats() == {}  # nothing kept
    code, out, err = run(capsys, "--store", postgres_location, "add-format", str(short))
    assert (code, err) == (0, "") and "Added the session format 'Short' (short)" in out
    demo.fill(open_store(postgres_location), DEMO_DAY)
    code, _, err = run(capsys, "copy-store", postgres_location, str(tmp_path / "back"))
    assert (code, err) == (0, "")
    (where, toml) = open_store(tmp_path / "back").own_formats()["short"]
    assert toml == SHORT_FORMAT and where.endswith("short.toml")


def test_facts_made_by_an_older_groupsup_are_made_again_on_opening(postgres_location):
    from groupsup.domain import derived

    demo.fill(open_store(postgres_location), DEMO_DAY)
    with psycopg.connect(postgres_location, autocommit=True) as db:  # as version 2 left them
        db.execute("update pod_facts set facts = facts - 'not_held'")
        db.execute("update derived_version set version = '2'")
    store = open_store(postgres_location)
    assert all("not_held" in fact for fact in store.report_facts("north-pod"))
    assert store.check() == []
    with psycopg.connect(postgres_location) as db:
        assert db.execute("select version from derived_version").fetchone() == (derived.VERSION,)


def test_the_command_line_works_on_a_database(postgres_location, capsys, monkeypatch, tmp_path):
    demo.fill(open_store(postgres_location), DEMO_DAY)
    monkeypatch.setenv("GROUPSUP_STORE", postgres_location)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # this machine's own files
    code, out, _ = run(capsys, "list")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == [
        "demo-s1",
        "demo-s2",
        "demo-s3",
    ]
    code, out, _ = run(capsys, "export", "demo-s2", "--format", "md")
    assert code == 0 and "North Pod" in out
    code, out, _ = run(capsys, "actions")
    assert code == 0 and out.strip()


def test_a_password_in_the_location_is_never_shown(capsys):
    location = "postgresql://worker:s3cret-Pa55@127.0.0.1:1/groupsup"
    code, out, err = run(capsys, "--store", location, "list")
    assert code == 1 and "s3cret-Pa55" not in out + err
    assert err.startswith("groupsup: Cannot reach postgresql://worker@127.0.0.1:1/groupsup")


def test_a_facilitator_role_reads_and_writes_only_its_own_pods(
    postgres_server, postgres_location, tmp_path, monkeypatch
):
    """The README's roles: a facilitator sees only the pods given to them; the principal social
    worker's role reads every pod and changes none."""
    import uuid

    import psycopg

    from groupsup.domain.errors import GroupsupError, NotFound, StoreUnusable

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    owner = open_store(postgres_location)
    demo.fill(owner, DEMO_DAY)
    south = demo.demo_pod().model_copy(update={"id": "south-pod", "name": "South Pod"})
    owner.save_pod(south)
    theirs = owner.session("demo-s1").model_copy(update={"id": "south-s1", "pod_id": south.id})
    owner.save_session(theirs)

    suffix = uuid.uuid4().hex[:8]
    grace, asha = f"grace_{suffix}", f"asha_{suffix}"
    schema = postgres_location.rsplit("%3D", 1)[1]
    with psycopg.connect(postgres_location, autocommit=True) as db:
        db.execute("select 1 from pg_roles where rolname = 'groupsup_service'").fetchone() or (
            db.execute("create role groupsup_service")
        )
        db.execute(f"create role {grace} login")
        db.execute(f"create role {asha} login in role groupsup_service")
        db.execute(f"grant usage on schema {schema} to {grace}, {asha}")
        db.execute(
            f"grant select, insert, update, delete on all tables in schema {schema} to {grace}"
        )
        db.execute(f"grant usage on all sequences in schema {schema} to {grace}")
        db.execute(f"grant select on all tables in schema {schema} to groupsup_service")
        db.execute("insert into pod_access (pod_id, role) values ('north-pod', %s)", [grace])

    def as_role(role: str):
        return open_store(postgres_location.replace("user=postgres", f"user={role}"))

    facilitator = as_role(grace)
    assert [pod.id for pod in facilitator.pods()] == ["north-pod"]
    assert {s.pod_id for s in facilitator.summaries()} == {"north-pod"}
    with pytest.raises(NotFound):
        facilitator.session("south-s1")
    mine = facilitator.session("demo-s3")
    mine.slots[0].dilemma = "Saved by the pod's own facilitator"
    facilitator.save_session(mine)
    with pytest.raises(GroupsupError):
        facilitator.save_session(theirs.model_copy(update={"id": "south-s2"}))
    assert "south-s2" not in {s.id for s in owner.summaries()}

    owner.backup("before closing")  # nor through a backup of every pod
    with psycopg.connect(postgres_location.replace("user=postgres", f"user={grace}")) as db:
        kept = {pod for (pod,) in db.execute("select record ->> 'pod_id' from backup_sessions")}
    assert kept == {"north-pod"}

    with psycopg.connect(postgres_location, autocommit=True) as db:  # as before an upgrade
        (newest,) = db.execute("select max(version) from groupsup_schema").fetchone()
        db.execute("delete from groupsup_schema where version = %s", [newest])
    with pytest.raises(StoreUnusable, match="ask whoever runs it to open it first"):
        as_role(grace)  # a facilitator may not upgrade the tables: one sentence, no traceback
    with psycopg.connect(postgres_location, autocommit=True) as db:
        db.execute("insert into groupsup_schema values (%s)", [newest])  # as it was

    service = as_role(asha)
    assert {s.pod_id for s in service.summaries()} == {"north-pod", "south-pod"}
    assert service.session("south-s1").pod_id == "south-pod"
    with pytest.raises(GroupsupError):
        service.save_session(service.session("south-s1"))


def test_an_observers_role_joins_and_sends_notes_but_changes_no_record(
    postgres_location, tmp_path, monkeypatch, fake
):
    """The README's observer role: an observer joining from their own machine with
    `join --store postgresql://...` reads their pod's running session, says they are there and
    sends notes; the records themselves their role cannot change."""
    import uuid

    from test_joining import running

    from groupsup.domain.errors import GroupsupError
    from groupsup.observers import joining

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    owner = open_store(postgres_location)
    demo.fill(owner, DEMO_DAY)
    codes = running(owner, fake)
    priya = f"priya_{uuid.uuid4().hex[:8]}"
    schema = postgres_location.rsplit("%3D", 1)[1]
    with psycopg.connect(postgres_location, autocommit=True) as db:
        for statement in (
            f"create role {priya} login",
            f"grant usage on schema {schema} to {priya}",
            f"grant select on all tables in schema {schema} to {priya}",
            f"grant insert, update, delete on {schema}.observers_present to {priya}",
            f"grant insert on {schema}.observer_notes to {priya}",
            f"grant usage on all sequences in schema {schema} to {priya}",
        ):
            db.execute(statement)
        db.execute("insert into pod_access (pod_id, role) values ('north-pod', %s)", [priya])

    observer = open_store(postgres_location.replace("user=postgres", f"user={priya}"))
    assert joining.admit(observer, codes[demo.PRIYA], "phone", fake.wall()).member_id == demo.PRIYA
    assert joining.present(owner, "demo-s3", fake.wall()) == {demo.PRIYA: "phone"}
    session = observer.session("demo-s3")
    note = joining.InboxNote(
        kind="resonance", slot_id=session.slots[0].id, author=demo.PRIYA, text="Like my case"
    )
    joining.post(observer, session, note)
    assert [n.text for _, n in joining.waiting(owner, "demo-s3")] == ["Like my case"]
    session.slots[0].dilemma = "Changed by an observer"
    with pytest.raises(GroupsupError):
        observer.save_session(session)
    with pytest.raises(GroupsupError):
        observer.save_join_codes("demo-s3", b"{}")
    assert owner.session("demo-s3").slots[0].dilemma != "Changed by an observer"
