"""The command line. Thin: every command calls the same domain and store functions as the app.

Heavy modules are imported inside the commands, so that `groupsup --help` answers at once.
Bad input gets one line on stderr and exit status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib.metadata import version
from pathlib import Path
from typing import NoReturn

EXIT_BAD_INPUT = 2
EXIT_STORE_PROBLEM = 1
# The records are kept private with POSIX permissions (folders 0700, files 0600); Windows does
# not honour them, so there a store would be readable by anyone who can read the folder.
NOT_ON_WINDOWS = (
    "Windows is not supported: groupsup keeps the records private with file permissions "
    "Windows does not have; run it in WSL (Windows Subsystem for Linux). Nothing was done."
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not the usage block
        from groupsup.outputs.escaping import for_terminal  # what was typed may hold controls

        self.exit(
            EXIT_BAD_INPUT, for_terminal(f"{self.prog}: {message} (see '{self.prog} --help')\n")
        )


def _at_least_one(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text} is not 1 or more")
    return number


def _location(text: str):
    from groupsup.store.locations import location_of

    return location_of(text)


def _store_option(parser: argparse.ArgumentParser, default=None) -> None:
    parser.add_argument(
        "--store",
        type=_location,
        default=default,
        metavar="PATH",
        help="the store folder, or a postgresql:// database (default: $GROUPSUP_STORE, else "
        "your user data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="groupsup",
        description="Facilitate a pod's group reflective supervision and keep its minutes. "
        "With no command, opens the app.",
    )
    _store_option(parser)
    parser.add_argument("--version", action="version", version=f"groupsup {version('groupsup')}")
    parser.add_argument(
        "--no-bell", action="store_true", help="no terminal bell when a phase or case overruns"
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="on an unexpected error, show the full traceback with its records (also "
        "GROUPSUP_DEBUG=1); without it, records never appear in a crash",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _store_option(sub, default=argparse.SUPPRESS)
        return sub

    demo = command("demo", "fill an empty store with a fictional pod, then open the app")
    demo.add_argument("--no-open", action="store_true", help="print the store path and exit")

    listing = command("list", "list the sessions in the store, one a line")
    listing.add_argument("--json", action="store_true", help="print JSON instead")

    export = command("export", "write a session's minutes, or one case's record (--case)")
    export.add_argument("session_id", metavar="SESSION_ID")
    export.add_argument(
        "--case",
        type=int,
        metavar="N",
        help="only case N's record, for the child's file (no other case's text)",
    )
    export.add_argument(
        "--format",
        choices=["md", "json", "html", "docx", "pdf"],
        default="md",
        help="md (default), json, html; docx and pdf (Word, PDF) need -o FILE or a pipe",
    )
    export.add_argument(
        "-o", "--output", type=_output_file, metavar="FILE", help="write to FILE (0600)"
    )
    export.add_argument(
        "--pseudonymise",
        action="store_true",
        help="replace family members' names by roles or initials (the replacements are listed)",
    )

    importing = command("import", "add sessions from JSON files written by 'export --format json'")
    importing.add_argument("files", nargs="+", type=Path, metavar="FILE.json")
    importing.add_argument(
        "--replace", action="store_true", help="replace sessions already in the store"
    )

    genogram = command(
        "genogram",
        "print a case's genogram (drawn, Graphviz DOT, JSON or GEDCOM 7), or bring one in from "
        "a GEDCOM 7 file",
    )
    genogram.add_argument("session_id", metavar="SESSION_ID")
    genogram.add_argument("--case", type=int, default=1, metavar="N", help="case number (1)")
    genogram.add_argument(
        "--format",
        choices=["text", "dot", "json", "ged"],
        default="text",
        help="text (drawn, the default), dot (Graphviz), json, ged (GEDCOM 7, for genealogy "
        "and genogram programs)",
    )
    genogram.add_argument(
        "-o", "--output", type=_output_file, metavar="FILE", help="write to FILE (0600)"
    )
    genogram.add_argument(
        "--pseudonymise",
        action="store_true",
        help="family members named by their roles (the replacements are listed)",
    )
    genogram.add_argument(
        "--import",
        dest="import_file",
        type=Path,
        metavar="FILE.ged",
        help="make the case's genogram from a GEDCOM 7 file (what it cannot hold is listed)",
    )
    genogram.add_argument(
        "--replace", action="store_true", help="with --import: replace a genogram already typed"
    )

    agree = command(
        "agree",
        "mark a closed session's case record agreed by the worker (policy section 12); "
        "without --case, say where each case's record stands",
    )
    agree.add_argument("session_id", metavar="SESSION_ID")
    agree.add_argument("--case", type=int, metavar="N", help="the case whose record is agreed")
    agree.add_argument(
        "--by",
        metavar="NAME",
        help="who agreed it (default: the case's presenter): a name, its start, initials or key",
    )
    agree.add_argument(
        "--correction", default="", metavar="TEXT", help="a correction the worker asked for"
    )

    delete = command("delete", "delete a planned session that will not be held (nothing recorded)")
    delete.add_argument("session_id", metavar="SESSION_ID")
    postpone = command(
        "postpone",
        "postpone a planned session to a new date, its cases carried; the record keeps why",
    )
    postpone.add_argument("session_id", metavar="SESSION_ID")
    postpone.add_argument("--to", required=True, metavar="DATE", help="the new date")
    postpone.add_argument("--reason", required=True, metavar="TEXT", help="why it is postponed")
    cancel = command("cancel", "cancel a planned session; the pod's record keeps why")
    cancel.add_argument("session_id", metavar="SESSION_ID")
    cancel.add_argument("--reason", required=True, metavar="TEXT", help="why it is cancelled")

    pass_on = command("pass-on", "mark an agreed case record passed to the manager")
    pass_on.add_argument("session_id", metavar="SESSION_ID")
    pass_on.add_argument("--case", type=int, required=True, metavar="N", help="the case")
    pass_on.add_argument("--to", required=True, metavar="MANAGER", help="the manager's name")

    actions = command("actions", "list the next steps still open, oldest due first")
    actions.add_argument("--pod", metavar="POD", help="only this pod (name or key)")
    actions.add_argument("--overdue", action="store_true", help="only those past their due date")
    actions.add_argument(
        "--owner", metavar="NAME", help="only those owned by NAME (part of a name)"
    )
    actions.add_argument(
        "--signoff",
        action="store_true",
        help="only those marked for manager sign-off, listed per manager and owner",
    )
    actions.add_argument("--json", action="store_true", help="print JSON instead")

    report = command("report", "the pod's record: sessions, presenters, lenses, next steps")
    report.add_argument("--pod", metavar="POD", help="the pod (name or key)")
    report.add_argument(
        "--from", dest="start", metavar="DATE", help="first day (default: twelve months back)"
    )
    report.add_argument("--to", dest="end", metavar="DATE", help="last day (today)")
    report.add_argument(
        "--service", action="store_true", help="every pod on one page, for the whole service"
    )
    report.add_argument("--format", choices=["md", "html", "json"], default="md")
    report.add_argument(
        "-o", "--output", type=_output_file, metavar="FILE", help="write to FILE (0600)"
    )

    calendar = command("calendar", "write planned sessions and next steps' due dates as .ics")
    calendar.add_argument("--pod", metavar="POD", help="only this pod (name or key)")
    calendar.add_argument(
        "-o",
        "--output",
        type=_output_file,
        metavar="FILE",
        help="write to FILE (default: groupsup.ics in the store's exports folder)",
    )

    adding = command("add-format", "add a session format of the pods' own, from a TOML file")
    adding.add_argument(
        "file",
        type=Path,
        metavar="FILE.toml",
        help="the format, written like the built-in ones; its name is the format's key",
    )
    adding.add_argument(
        "--replace", action="store_true", help="replace the pods' own format with this key"
    )

    serve = command("serve", "serve the observers' view to web browsers (textual-serve)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (8000)")
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the address observers' devices use, such as http://192.168.1.20:8000 "
        "(default: this machine's address on the network --host listens on)",
    )
    serve.add_argument(
        "--most",
        type=_at_least_one,
        default=10,
        metavar="N",
        help="observers' screens at once (10): each runs a process; the next is refused",
    )

    join = command("join", "join a running session as an observer, in this terminal")
    join.add_argument(
        "--from",
        dest="address",
        metavar="ADDRESS",
        help="the address the observer connects from ('groupsup serve' gives it, so that "
        "wrong codes from one device lock it on all its screens)",
    )

    command("backup", "back up the store now (before an upgrade, say)")

    restore = command("restore", "list the store's backups, or put one back")
    restore.add_argument("backup", nargs="?", metavar="BACKUP", help="the backup to put back")
    restore.add_argument(
        "--damaged-too",
        action="store_true",
        help="put the backup back even though records in it are damaged",
    )

    moving = "copy every record of one store into another, empty one (a folder or a database)"
    copying = commands.add_parser("copy-store", help=moving, description=moving)
    copying.add_argument("source", type=_location, metavar="FROM", help="the store to copy")
    copying.add_argument("target", type=_location, metavar="TO", help="an empty store")

    check = command("check", "list what is wrong with the store, if anything")
    check.add_argument(
        "--repair",
        action="store_true",
        help="make the index, pod facts and open steps again from the sessions (a damaged "
        "session is left alone) and make the store private again",
    )

    command("schema", "print the JSON Schema of the JSON minutes")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if sys.platform == "win32":
        _show(f"groupsup: {NOT_ON_WINDOWS}", sys.stderr)
        return EXIT_STORE_PROBLEM
    if args.debug:
        os.environ["GROUPSUP_DEBUG"] = "1"  # read by the apps, and by those `serve` starts
    from groupsup.domain.errors import GroupsupError

    try:
        _check_output(args)
        return COMMANDS[args.command or "open"](args) or 0
    except GroupsupError as error:
        from groupsup.domain.errors import StoreDamaged

        damaged = isinstance(error, StoreDamaged)
        hint = " Nothing was changed; 'groupsup restore' lists backups." if damaged else ""
        _show(f"groupsup: {error}{hint}", sys.stderr)
        return _exit_code(error)
    except OSError as error:  # the machine refused: a permission, a full disk, a lost device
        where = f" {error.filename}:" if error.filename else ""
        _show(f"groupsup:{where} {error.strerror or error}. Nothing more was done.", sys.stderr)
        return EXIT_STORE_PROBLEM
    except KeyboardInterrupt:
        return 130


def _show(text: str, file=None, *, as_json: bool = False, end: str = "\n") -> None:
    """Prints text that may hold stored text with every control made visible, so that none
    can act on the terminal; JSON keeps its meaning, its controls written as \\u escapes."""
    from groupsup.outputs.escaping import for_terminal, json_for_terminal

    safe = json_for_terminal(text) if as_json else for_terminal(text)
    print(safe, file=file or sys.stdout, end=end)


def _exit_code(error: Exception) -> int:
    from groupsup.domain.errors import StoreBusy, StoreDamaged, StoreUnusable

    store_problem = StoreDamaged | StoreBusy | StoreUnusable
    return EXIT_STORE_PROBLEM if isinstance(error, store_problem) else EXIT_BAD_INPUT


def _output_file(typed: str) -> Path:
    """An -o's file: one ending in / names a folder (a file of its name would be made)."""
    if typed.endswith(("/", os.sep)):
        raise argparse.ArgumentTypeError(f"'{typed}' is a folder: give the file's name too")
    return Path(typed)


def _store_path(args: argparse.Namespace):
    """The store chosen, refused if it cannot be one: a file is bad input (exit 2); another
    user's folder, a store problem (exit 1), as groupsup keeps each store private."""
    from groupsup.store.locations import default_store

    return _checked_location(args.store if args.store is not None else default_store())


def _checked_location(path):
    """`_store_path`'s checks of a store's location, however it was given."""
    from groupsup.domain.errors import GroupsupError, StoreUnusable

    if isinstance(path, str):  # a database location (a folder is a Path): no folder to check
        return path
    if path.exists() and not path.is_dir():
        raise GroupsupError(f"The store '{path}' is a file; a store is a folder (made if missing).")
    if path.exists() and path.stat().st_uid != os.geteuid():
        raise StoreUnusable(
            f"The store '{path}' belongs to another user; a store is private to one "
            "facilitator: choose a folder of your own."
        )
    from groupsup.store.database import PODS_FILE

    if outer := next((f for f in path.resolve().parents if (f / PODS_FILE).is_file()), None):
        raise GroupsupError(  # its backups or its sessions, taken for a store of their own
            f"'{path}' is inside the store at {outer}, and a store is never kept inside "
            "another: choose a folder of its own ('groupsup restore' puts a backup back)."
        )
    return path


def _open_store(args: argparse.Namespace):
    from groupsup.store.interface import open_store

    return open_store(_store_path(args))


def _existing_store(args: argparse.Namespace):
    """The store for a command that only reads: never made at a mistyped path."""
    _check_is_store(_store_path(args))
    return _open_store(args)


def _check_is_store(path: Path) -> None:
    from groupsup.domain.errors import GroupsupError
    from groupsup.store.database import PODS_FILE
    from groupsup.store.locations import is_database

    if is_database(path):  # the engine says for itself what is not there
        return
    if not path.is_dir():
        raise GroupsupError(f"There is no store at {path}: check --store (or $GROUPSUP_STORE).")
    if not _is_store(path):
        raise GroupsupError(
            f"{path} is not a groupsup store (it has no {PODS_FILE}): check --store "
            "(or $GROUPSUP_STORE)."
        )


def _is_store(folder: Path) -> bool:
    """Whether a folder holds a store (one the app opened and left empty has its sessions
    folder)."""
    from groupsup.store.database import INDEX_FILE, INDEX_FOLDER, PODS_FILE

    return any(
        (folder / name).exists() for name in (PODS_FILE, INDEX_FOLDER, INDEX_FILE, "sessions")
    )


def cmd_open(args: argparse.Namespace) -> int:
    path = _store_path(args)
    _may_become_store(path, "the app makes one", "check --store (or $GROUPSUP_STORE)")
    return _run_app(path, bell=not args.no_bell)


def _may_become_store(path, maker: str, check: str) -> None:
    """Refuse a folder of other things: a store is made only in an empty or new folder (a store
    already there is opened)."""
    from groupsup.domain.errors import GroupsupError

    if not isinstance(path, Path):  # a database: its engine says what it holds
        return
    if path.is_dir() and any(path.iterdir()) and not _is_store(path):
        raise GroupsupError(
            f"{path} is not a groupsup store, and {maker} only in an empty or new folder: "
            f"{check}. Nothing was changed."
        )


def _run_app(store_path: Path, bell: bool = True) -> int:
    from groupsup.app import GroupSupApp

    app = GroupSupApp(store_path, bell=bell)
    app.run()
    return app.return_code or 0  # 1 after a crash


def cmd_demo(args: argparse.Namespace) -> int:
    import datetime as dt
    import tempfile

    from groupsup.domain.errors import GroupsupError
    from groupsup.store import demo
    from groupsup.store.interface import open_store

    path = (
        _store_path(args)
        if args.store is not None
        else Path(tempfile.mkdtemp(prefix="groupsup-demo-"))
    )
    folder_in_use = isinstance(path, Path) and path.exists() and any(path.iterdir())
    store = None if folder_in_use else open_store(path)
    if store is None or not store.is_empty():
        raise GroupsupError(
            f"{path} is not empty; the demo fills only an empty or new folder. "
            "Choose another --store."
        )
    demo.fill(store, dt.date.today())
    if args.no_open:
        _show(str(path))
        return 0
    return _run_app(path, bell=not args.no_bell)


def cmd_list(args: argparse.Namespace) -> int:
    """Straight from the index: no pydantic, so that a list is as quick as --help."""
    import json

    from groupsup.store.interface import open_index

    root = _store_path(args)
    _check_is_store(root)
    index = open_index(root)  # a folder's files read as they are, once settled
    pods = {pod.id: pod.name for pod in index.pod_views()}
    summaries = index.summaries()
    rows = [
        {
            "id": s.id,
            "date": s.date.isoformat(),
            "pod": pods.get(s.pod_id, s.pod_id),
            "status": s.status.value,
        }
        for s in summaries
    ]
    if args.json:
        _show(json.dumps(rows, indent=2, ensure_ascii=False), as_json=True)
    elif not rows:
        print("No sessions in this store yet.")
    for row in rows if not args.json else []:
        _show(f"{row['id']}  {row['date']}  {row['pod']}  {row['status']}")
    return _say_unindexed(root, [s.id for s in summaries])


def _say_unindexed(root: Path, listed: list[str] | None = None) -> int:
    """After a read from a folder store's index (or the records derived with it): each session
    it leaves out, or lists without its file, named (exit 1). What was read still stands.
    `listed`: the ids the index lists, if the read had them."""
    from groupsup.store.database import FolderIndex
    from groupsup.store.locations import is_database

    problems = [] if is_database(root) else FolderIndex(root).unindexed(listed)
    for problem in problems:
        _show(
            f"groupsup: {problem} 'groupsup check' says more, and 'groupsup check --repair' "
            "mends what it can.",
            sys.stderr,
        )
    return EXIT_STORE_PROBLEM if problems else 0


def cmd_export(args: argparse.Namespace) -> int:
    from groupsup.domain.errors import GroupsupError
    from groupsup.outputs import minutes

    store = _existing_store(args)
    session = store.session(args.session_id)
    pod = store.pod(session.pod_id)
    if args.pseudonymise:
        session = _pseudonymised(store, session)
    form = minutes.Format(args.format)
    if form in minutes.BINARY_FORMATS and args.output is None and sys.stdout.isatty():
        raise GroupsupError(
            f"A .{form} file is not for reading in a terminal: add -o FILE (or pipe it)."
        )
    if args.case is None:
        text = minutes.render(pod, session, form)
    elif form is minutes.Format.JSON:
        raise GroupsupError(
            "A case record is written as md, html, docx or pdf; --format json is the whole "
            "session's record."
        )
    else:
        text = minutes.render_case(pod, session, args.case, form)
    _write_or_print(text, args.output, as_json=form is minutes.Format.JSON)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from groupsup.store.importing import import_files

    added = import_files(_open_store(args), args.files, replace=args.replace)
    print(f"Imported {added} session{'s' if added != 1 else ''}.")
    return 0


def cmd_genogram(args: argparse.Namespace) -> int:
    from groupsup.domain.errors import GroupsupError
    from groupsup.genogram.dot import to_dot
    from groupsup.genogram.drawing import render
    from groupsup.genogram.gedcom import to_gedcom

    if args.import_file is not None:
        return _import_genogram(args)
    store = _existing_store(args)
    session = store.session(args.session_id)
    if not 1 <= args.case <= len(session.slots):
        raise GroupsupError(
            f"Session {session.id} has {len(session.slots)} cases; --case must be 1 to "
            f"{len(session.slots)}."
        )
    if args.pseudonymise:
        session = _pseudonymised(store, session)
    slot = session.slots[args.case - 1]
    if args.format == "dot":
        text = to_dot(slot.genogram, f"Case {args.case}: {slot.title}")
    elif args.format == "json":
        text = slot.genogram.model_dump_json(indent=2) + "\n"
    elif args.format == "ged":
        text = to_gedcom(slot.genogram)
    else:
        text = render(slot.genogram) + "\n"
    _write_or_print(text, args.output, as_json=args.format == "json")
    return 0


def _pseudonymised(store, session):
    """The session with family names replaced; what was replaced listed on stderr."""
    from groupsup.outputs.pseudonymise import pseudonymise, reviewed_in

    result = pseudonymise(session, reviewed_in(session, store.session), store.pod(session.pod_id))
    listed = "; ".join(f"{name} -> {role}" for name, role in result.replaced) or "nothing"
    _show(f"Replaced: {listed}", sys.stderr)
    if result.suspects:
        _show(
            f"Still looks like a name, read before sharing: {', '.join(result.suspects)}",
            sys.stderr,
        )
    return result.session


def _import_genogram(args: argparse.Namespace) -> int:
    from groupsup.domain.running import put_genogram
    from groupsup.store.importing import read_genogram

    imported = read_genogram(args.import_file)
    store = _existing_store(args)
    session = store.update_session(
        args.session_id,
        lambda session: put_genogram(session, args.case, imported.genogram, args.replace),
    )
    genogram = session.slots[args.case - 1].genogram
    _show(
        f"Case {args.case}'s genogram now holds {len(genogram.people)} people, "
        f"{len(genogram.couples)} couples and {len(genogram.children)} child links."
    )
    if imported.not_kept:
        _show("Not kept (a genogram has no place for them):", sys.stderr)
        for line in imported.not_kept:
            _show(f"  {line}", sys.stderr)
    return 0


def _today():
    import datetime as dt

    return dt.date.today()


def _check_output(args: argparse.Namespace) -> None:
    """An -o inside the store, but for its exports folder, is refused: a file written there
    could replace one of the store's own records."""
    from groupsup.domain.errors import GroupsupError
    from groupsup.store.locations import exports_folder

    output = getattr(args, "output", None)
    if output is None:
        return
    store = _store_path(args)
    if not isinstance(store, Path):  # a database: no folder of records to keep safe
        return
    where, exports = output.resolve(), exports_folder(store)
    # (an exports folder that is a link leads anywhere, the sessions' folder too: none of it is)
    if where.is_relative_to(store.resolve()) and (
        exports.is_symlink() or not where.is_relative_to(exports.resolve())
    ):
        raise GroupsupError(
            f"-o '{output}' is inside the store, whose files are its records: write it "
            f"elsewhere, or into {exports_folder(store)}."
        )


def _write_or_print(text: str | bytes, output: Path | None, as_json: bool = False) -> None:
    """To the terminal made safe (Word and PDF bytes only down a pipe), or to a file exactly."""
    from groupsup.domain.errors import GroupsupError
    from groupsup.store.files import atomic_write, folder_for_files, write_private_text

    if output is None:
        if isinstance(text, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
        else:
            _show(text, as_json=as_json, end="")
    elif output.is_dir() or not output.name:
        raise GroupsupError(f"-o '{output}' is a folder: give the file's name too.")
    elif output.exists() and not output.is_file():  # a named pipe, a device: written into
        with output.open("wb") as stream:
            stream.write(text if isinstance(text, bytes) else text.encode("utf-8"))
    else:
        folder_for_files(output.parent)
        if isinstance(text, bytes):
            atomic_write(output, text)
        else:
            write_private_text(output, text)


def cmd_agree(args: argparse.Namespace) -> int:
    from groupsup.domain import agreeing
    from groupsup.domain.dates import local_now

    store = _existing_store(args)
    session = store.session(args.session_id)
    pod = store.pod(session.pod_id)
    if args.case is None:
        for number, slot in enumerate(session.slots, 1):
            stage = agreeing.in_words(pod, session, slot)
            _show(f"Case {number}: {slot.title} ({pod.name_of(slot.presenter)}): {stage}")
        return 0
    by = _member(pod, session, args.by) if args.by else None
    session = store.update_session(
        session.id,
        lambda s: agreeing.agree(pod, s, args.case, local_now(), by, args.correction),
    )
    _show(f"Case {args.case}: {agreeing.in_words(pod, session, session.slots[args.case - 1])}")
    return 0


def _member(pod, session, typed: str) -> str:
    """The member of the pod `typed` means (their key, a name, its start or initials), or one
    sentence."""
    from groupsup.domain.errors import GroupsupError
    from groupsup.domain.people import matching

    if typed in {member.id for member in pod.members}:  # the member's own key
        return typed
    found = matching(pod, [m.id for m in pod.members], typed)
    if len(found) != 1:
        some = "nobody" if not found else ", ".join(pod.name_of(m) for m in found)
        raise GroupsupError(f"'{typed}' fits {some} in {pod.name}: type more of the name.")
    return found[0]


def cmd_delete(args: argparse.Namespace) -> int:
    from groupsup.domain import planning
    from groupsup.domain.dates import when

    store = _existing_store(args)
    session = store.session(args.session_id)
    planning.check_deletable(session)
    store.delete_session(session.id)
    _show(f"The session of {when(session.date)} is deleted.")
    return 0


def cmd_postpone(args: argparse.Namespace) -> int:
    from groupsup.domain import planning
    from groupsup.domain.dates import parse_date, when

    store = _existing_store(args)
    session = store.session(args.session_id)
    today = _today()
    planned = planning.planned_days(store.summaries(session.pod_id), but=session.id)
    postponed, instead = planning.postpone(
        session, parse_date(args.to, today, "today"), args.reason, today, planned
    )
    store.save_session(instead)  # first: the cases are never without a session
    store.save_session(postponed)
    _show(
        f"The session of {when(session.date)} is postponed to {when(instead.date)}: "
        f"session {instead.id}, with its {len(instead.slots)} case(s)."
    )
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    from groupsup.domain import planning
    from groupsup.domain.dates import when

    store = _existing_store(args)
    session = store.session(args.session_id)
    store.save_session(planning.cancel(session, args.reason, _today()))
    _show(f"The session of {when(session.date)} is cancelled; the pod's record says why.")
    return 0


def cmd_pass_on(args: argparse.Namespace) -> int:
    from groupsup.domain import agreeing
    from groupsup.domain.dates import local_now

    store = _existing_store(args)
    session = store.update_session(
        args.session_id,
        lambda s: agreeing.pass_to_manager(s, args.case, args.to, local_now()),
    )
    pod = store.pod(session.pod_id)
    _show(f"Case {args.case}: {agreeing.in_words(pod, session, session.slots[args.case - 1])}")
    return 0


def cmd_actions(args: argparse.Namespace) -> int:
    return _show_actions(args) or _say_unindexed(_store_path(args))


def _show_actions(args: argparse.Namespace) -> int:
    import json

    today = _today()
    rows = []
    for pod, steps in _open_steps(args):
        for step in steps:
            owner = pod.name_of(step.owner)
            if args.owner and args.owner.casefold() not in owner.casefold():
                continue
            if args.overdue and not step.is_overdue(today):
                continue
            if args.signoff and not step.needs_signoff:
                continue
            rows.append(
                {
                    "id": step.id,
                    "session": step.session_id,
                    "pod": pod.name,
                    "due": step.due.isoformat() if step.due else None,
                    "overdue": step.is_overdue(today),
                    "action": step.action,
                    "owner": owner,
                    "case": step.case,
                    "agreed": step.agreed.isoformat(),
                    "status": step.status.value,
                    "note": step.note,
                    "manager_signoff": step.needs_signoff,
                }
            )
    rows.sort(key=lambda row: (row["due"] or "9999", row["pod"]))
    if args.signoff:  # who signs off is in the sessions: only then is the store opened
        return _signoff(_existing_store(args), rows, as_json=args.json)
    if args.json:
        _show(json.dumps(rows, indent=2, ensure_ascii=False), as_json=True)
        return 0
    if not rows:
        print("No next steps are open." if not (args.owner or args.overdue) else "None match.")
    for row in rows:
        flag = "OVERDUE " if row["overdue"] else ""
        signoff = "; manager sign-off" if row["manager_signoff"] else ""
        note = f": {row['note']}" if row["note"] else ""
        _show(
            f"{flag}{row['due'] or 'no date'}  {row['action']}  ({row['owner']}; "
            f"{row['case']}; {row['pod']}; {row['status']}{note}{signoff})"
        )
    return 0


def _signoff(store, rows: list[dict], as_json: bool) -> int:
    """Steps for manager sign-off, per manager (the one the case's record was passed to) and
    owner: what each manager has to finalise one to one."""
    import json

    from groupsup.domain.errors import GroupsupError

    sessions: dict = {}
    for row in rows:
        if row["session"] not in sessions:
            try:
                sessions[row["session"]] = store.session(row["session"])
            except GroupsupError:  # damaged: its steps are listed with no manager
                sessions[row["session"]] = None
        session = sessions[row["session"]]
        cases = session.slots if session else []
        slot = next((c for c in cases for step in c.next_steps if step.id == row["id"]), None)
        agreement = slot.agreement if slot else None
        row["manager"] = agreement.manager if agreement and agreement.passed_at else None
    rows.sort(key=lambda row: (row["manager"] is None, row["manager"] or "", row["owner"]))
    if as_json:
        _show(json.dumps(rows, indent=2, ensure_ascii=False), as_json=True)
        return 0
    if not rows:
        print("No open next step is marked for manager sign-off.")
    manager = owner = object()
    for row in rows:
        if row["manager"] != manager:
            manager, owner = row["manager"], object()
            _show(f"For {manager}:" if manager else "Record not yet passed to a manager:")
        if row["owner"] != owner:
            owner = row["owner"]
            _show(f"  {owner}:")
        flag = "OVERDUE " if row["overdue"] else ""
        _show(
            f"    {flag}{row['due'] or 'no date'}  {row['action']}  ({row['case']}; {row['pod']})"
        )
    return 0


def _open_steps(args: argparse.Namespace) -> list:
    """Each pod chosen (every pod, or --pod) with its open steps, as `PodView` and `OpenStep`
    rows: from a folder, straight from the pods file and the open-steps index (no pydantic, so
    `actions` is as quick as --help)."""
    from groupsup.store.database import OPEN_STEPS_FOLDER, FolderIndex, find_pod_row
    from groupsup.store.database import OpenStep as Step
    from groupsup.store.locations import is_database

    root = _store_path(args)
    _check_is_store(root)
    if is_database(root):  # no files to read: the engine's own index
        store = _open_store(args)
        views = store.pod_views()
        chosen = [v for v in views if v.id == store.find_pod(args.pod).id] if args.pod else views
        return [(pod, store.open_steps(pod.id)) for pod in chosen]
    chosen = FolderIndex(root).pod_views()  # by name
    if args.pod:
        wanted = find_pod_row([{"id": p.id, "name": p.name} for p in chosen], args.pod)
        chosen = [pod for pod in chosen if pod.id == wanted["id"]]
    files = {pod.id: root / OPEN_STEPS_FOLDER / f"{pod.id}.json" for pod in chosen}
    if not _derived_current(root) or not all(path.exists() for path in files.values()):
        _open_store(args)  # opening the store makes a missing or older index again
    return [(pod, Step.read(files[pod.id])) for pod in chosen]


def _derived_current(root: Path) -> bool:
    """Whether a folder store's derived records are this groupsup's (else opening it makes
    them again, once, before a command reads them raw)."""
    from groupsup.store.database import derived_current

    return derived_current(root) or not (root / "sessions").exists()


def cmd_report(args: argparse.Namespace) -> int:
    """From the raw pods and the facts of closed sessions: no pydantic, so it starts quickly."""
    import json

    from groupsup.domain.dates import parse_date
    from groupsup.domain.errors import GroupsupError
    from groupsup.outputs import report

    today = _today()
    end = parse_date(args.end) if args.end is not None else today
    start = parse_date(args.start) if args.start is not None else report.twelve_months_to(end)
    if start > end:
        raise GroupsupError(f"--from {start} is after --to {end}; swap them.")
    if args.service:  # (through the store alone: none of the folder's files below)
        return _service_report(args, start, end, today)
    from groupsup.store.database import (
        FACTS_FOLDER,
        FolderIndex,
        facts_since,
        find_pod_row,
        lost_derived,
        pod_folder,
    )
    from groupsup.store.locations import is_database

    root = _store_path(args)
    _check_is_store(root)
    if is_database(root):  # no files to read: the engine's own facts
        store = _open_store(args)
        pod = find_pod_row(store.pod_rows(), args.pod)
        facts = store.report_facts(pod["id"], since=start)
    else:
        if not _derived_current(root) or lost_derived(root) is not None:
            _open_store(args)  # a store from before these facts files, or one that lost one
        pod = find_pod_row(FolderIndex(root).pod_rows(), args.pod)
        facts = facts_since(pod_folder(root, FACTS_FOLDER, pod["id"]), start)  # what it needs
    built = report.build(pod, facts, start, end, today)
    if args.format == "json":
        text = json.dumps(report.as_json(built), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "html":
        from groupsup.outputs import markdown_html as html

        text = html.render(report.as_markdown(built), f"The record of {pod['name']}")
    else:
        text = report.as_markdown(built)
    _write_or_print(text, args.output, as_json=args.format == "json")
    return _say_unindexed(root)


def _service_report(args: argparse.Namespace, start, end, today) -> int:
    """Every pod's record, one line each, from the pods and their closed sessions' facts."""
    import json

    from groupsup.outputs import report

    reports = report.service(_open_store(args), start, end, today)
    if args.format == "json":
        text = json.dumps(report.service_as_json(reports), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "html":
        from groupsup.outputs import markdown_html as html

        text = html.render(report.service_as_markdown(reports), "The service's record")
    else:
        text = report.service_as_markdown(reports)
    _write_or_print(text, args.output, as_json=args.format == "json")
    return 0


def cmd_calendar(args: argparse.Namespace) -> int:
    """From the pods, the open-steps index and the planned sessions' files, as `actions` reads
    them (no pydantic, so it starts quickly); a database through its engine."""
    from groupsup.domain.vocabulary import SessionStatus
    from groupsup.outputs.calendar import calendar_for
    from groupsup.store.database import FolderIndex, PlannedSession

    PLANNED = SessionStatus.PLANNED
    from groupsup.store.locations import is_database, own_exports

    pods = _open_steps(args)
    root = _store_path(args)
    if is_database(root):
        store = _open_store(args)
        root = store.root

        def planned(pod_id: str) -> list[PlannedSession]:
            found = store.summaries(pod_id)
            return [PlannedSession.of(store.session(s.id)) for s in found if s.status == PLANNED]
    else:
        planned = FolderIndex(root).planned
    # One that cannot be read stops the command, named (StoreDamaged), rather than left out.
    ics, events = calendar_for([(pod, planned(pod.id), steps) for pod, steps in pods])
    output = args.output or own_exports(root) / "groupsup.ics"
    _write_or_print(ics, output)
    _show(f"Wrote {events} events to {output}.")
    return _say_unindexed(_store_path(args))


def cmd_add_format(args: argparse.Namespace) -> int:
    """Checked first, then kept by the store: a database's formats reach every machine. A
    built-in format is never replaced, and one of the pods' own only with --replace."""
    from groupsup.domain.errors import GroupsupError
    from groupsup.domain.formats import built_in_formats, load_format

    store = _existing_store(args)
    added = load_format(args.file)
    if added.id in built_in_formats():
        raise GroupsupError(
            f"'{added.id}' is the key of a built-in session format, which stays as it is: give "
            "the file another name (its name is the format's key). Nothing was kept."
        )
    if added.id in store.own_formats() and not args.replace:
        raise GroupsupError(
            f"The store already has a session format '{added.id}': add --replace to replace "
            "it. Nothing was kept."
        )
    store.save_format(added.id, args.file.read_bytes())
    _show(f"Added the session format '{added.name}' ({added.id}): the plan offers it now.")
    return 0


def cmd_join(args: argparse.Namespace) -> int:
    from groupsup.observers.screen import ParticipantApp

    path = _store_path(args)
    _check_is_store(path)
    app = ParticipantApp(path, address=args.address)
    app.run()
    return app.return_code or 0


def cmd_serve(args: argparse.Namespace) -> int:
    from groupsup.observers import serving

    store = _store_path(args)
    # Said now to the facilitator, not to each observer as they join: a mistyped or damaged
    # store, or a database out of reach.
    _existing_store(args).pod_views()
    loopback = serving.check_host(args.host, args.port)
    url = serving.public_url(args.host, args.port, args.public_url)
    if not loopback:
        print(
            f"Warning: listening on {args.host}: anyone who can reach this machine on port "
            f"{args.port} can open the join page. They still need a join code, "
            "but the traffic is not encrypted: use this only on a network you trust.",
            file=sys.stderr,
        )
    command = serving.join_command(store)
    serving.ObserversServer(command, args.host, args.port, url, args.most).serve()
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    folder = _existing_store(args).backup("on demand", thorough=True)
    _show(f"Backed up the store to {folder}.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    store = _existing_store(args)
    if args.backup is None:
        backups = store.backups()
        if not backups:
            print("No backups yet: one is made each time a session is closed.")
        for backup in backups:
            shown = f"{backup.sessions} sessions"
            if backup.problem:
                shown = f"cannot be restored: {backup.problem}"
            elif not backup.checked:  # (restore reads it through: listing every one would be slow)
                shown += (
                    ", unchecked: it may hold a damaged record, which restore puts back only "
                    "with --damaged-too"
                )
            _show(f"{backup.name}  ({shown})")
        return 0
    undo = store.restore(args.backup, damaged_too=args.damaged_too)
    _show(f"Restored {args.backup}. What was there before is kept as backup {undo.name}.")
    return 0


def cmd_copy_store(args: argparse.Namespace) -> int:
    from groupsup.store.copying import copy_store
    from groupsup.store.interface import open_store

    source, target = _checked_location(args.source), _checked_location(args.target)
    _check_is_store(source)
    _may_become_store(target, "copy-store makes one", "choose another TO")
    copied = copy_store(open_store(source), open_store(target))
    _show(f"Copied {copied} sessions, with their pods, and checked the copy reads back the same.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    store = _existing_store(args)
    problems = store.repair() if args.repair else store.check()
    for problem in problems:
        _show(problem, sys.stderr)
    if problems:
        hint = "" if args.repair else "; 'groupsup check --repair' mends what it can"
        print(f"{len(problems)} problem{'s' if len(problems) > 1 else ''}{hint}.")
        return EXIT_STORE_PROBLEM
    print("The store is sound." if not args.repair else "Repaired: the store is sound.")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from groupsup.outputs import minutes

    sys.stdout.write(minutes.schema())
    return 0


COMMANDS = {
    "open": cmd_open,
    "agree": cmd_agree,
    "delete": cmd_delete,
    "postpone": cmd_postpone,
    "cancel": cmd_cancel,
    "pass-on": cmd_pass_on,
    "demo": cmd_demo,
    "list": cmd_list,
    "export": cmd_export,
    "import": cmd_import,
    "genogram": cmd_genogram,
    "actions": cmd_actions,
    "report": cmd_report,
    "calendar": cmd_calendar,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "serve": cmd_serve,
    "join": cmd_join,
    "add-format": cmd_add_format,
    "copy-store": cmd_copy_store,
    "schema": cmd_schema,
    "check": cmd_check,
}


if __name__ == "__main__":
    sys.exit(main())
