"""The one table of copy status changes, and the guard that nothing writes around it."""

from __future__ import annotations

import ast
import re
from itertools import product
from pathlib import Path

import pytest

from mediathek.catalogue import policy
from mediathek.catalogue.policy import (
    COPY_EVENT_LABELS,
    COPY_STEPS,
    COPY_TRANSITIONS,
    CopyEvent,
    CopyStatusRefused,
    copy_move,
    copy_moves_from,
    copy_status_after,
)
from mediathek.catalogue.tables import COPY_STATUS_LABELS, CopyStatus
from mediathek.circulation import policy as circulation_policy

ROOT = Path(__file__).resolve().parents[2]


def test_every_event_has_one_row_and_every_status_a_way_in_and_out():
    assert [event for event, _, _ in COPY_STEPS] == list(CopyEvent)
    assert set(COPY_EVENT_LABELS) == set(CopyEvent)
    assert {to for _, _, to in COPY_STEPS} == set(CopyStatus)
    assert {start for _, starts, _ in COPY_STEPS for start in starts} == set(CopyStatus)
    assert len(COPY_TRANSITIONS) == sum(len(starts) for _, starts, _ in COPY_STEPS)


def test_a_step_the_table_lacks_is_refused_in_german_naming_the_status():
    assert copy_status_after("available", CopyEvent.checkout) == CopyStatus.on_loan
    with pytest.raises(CopyStatusRefused) as refused:
        copy_status_after("withdrawn", CopyEvent.checkout)
    assert refused.value.message == (
        "„Ausleihen“ geht bei diesem Exemplar nicht (Status: ausgesondert)."
    )
    with pytest.raises(CopyStatusRefused, match="Status: ausgeliehen"):
        copy_status_after("on_loan", CopyEvent.withdraw)
    with pytest.raises(CopyStatusRefused):
        copy_status_after("verschwunden", CopyEvent.found_again)


@pytest.mark.parametrize(("status", "event"), list(product(CopyStatus, CopyEvent)))
def test_each_pair_of_status_and_event_is_either_a_step_or_refused(status, event):
    if (status, event) in COPY_TRANSITIONS:
        assert copy_status_after(status, event) == COPY_TRANSITIONS[(status, event)]
        assert copy_move(event, [status]) == ((status,), COPY_TRANSITIONS[(status, event)])
    else:
        with pytest.raises(CopyStatusRefused):
            copy_status_after(status, event)
        with pytest.raises(CopyStatusRefused):
            copy_move(event, [status])


def test_a_caller_may_narrow_the_start_but_not_widen_it():
    assert copy_move(CopyEvent.release, None) == ((CopyStatus.on_hold_shelf,), CopyStatus.available)
    assert copy_move(CopyEvent.mark_lost, ["on_loan"]) == ((CopyStatus.on_loan,), CopyStatus.lost)
    with pytest.raises(CopyStatusRefused, match="im Abholregal"):
        copy_move(CopyEvent.set_aside, ["available", "on_hold_shelf"])


def test_the_desk_lends_from_exactly_the_statuses_the_table_gives_checkout():
    assert copy_moves_from(CopyEvent.checkout) == circulation_policy.LENDABLE
    assert set(circulation_policy.LENDABLE_WITH_OVERRIDE) == set(
        copy_moves_from(CopyEvent.checkout_override)
    )
    # What needs no reason is a part of what may be lent with one.
    assert set(circulation_policy.LENDABLE) < set(circulation_policy.LENDABLE_WITH_OVERRIDE)


def test_every_status_change_staff_may_make_by_hand_is_a_step_of_the_table():
    allowed = 0
    for current, new in product(CopyStatus, CopyStatus):
        if current == new or policy.copy_status_change_error(current, new):
            continue
        event = policy.STAFF_STATUS_EVENTS[new]
        assert copy_status_after(current, event) == new, (current, new)
        allowed += 1
    assert allowed == 16  # four statuses staff may leave, each to the four others


def test_the_table_in_the_catalogue_docs_is_the_table_in_the_code():
    doc = (ROOT / "docs" / "catalogue.md").read_text(encoding="utf-8")
    rows = [
        line
        for line in doc.splitlines()
        if line.startswith("| `") and line.count("|") == 5 and "Ereignis" not in line
    ]
    documented = {}
    for row in rows:
        event, label, starts, to = (cell.strip() for cell in row.strip("|").split("|"))
        documented[event.strip("`")] = (label, starts, to)
    assert documented == {
        event.value: (
            COPY_EVENT_LABELS[event],
            ", ".join(COPY_STATUS_LABELS[s] for s in starts),
            COPY_STATUS_LABELS[to],
        )
        for event, starts, to in COPY_STEPS
    }


# ---- nothing writes a copy's status around the table ---------------------------------------

# Raw SQL that sets a copy's status: UPDATE copy SET … status = … (before any WHERE).
_SQL_UPDATE_COPY = re.compile(r'\bupdate\s+"?copy"?\s+set\b(.*?)(?:\bwhere\b|$)', re.I | re.S)
_SETS_STATUS = re.compile(r'(?<![\w.])"?status"?\s*=', re.I)


def _text_of(node: ast.AST) -> str | None:
    """The literal text of a string, an f-string, or a sum of them (else None)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text_of(node.left), _text_of(node.right)
        if left is not None or right is not None:
            return (left or "") + (right or "")
    return None


def _is_copy_status(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "status"
        and isinstance(node.value, ast.Name)
        and node.value.id == "Copy"
    )


def _names_copy(node: ast.AST) -> bool:
    """``Copy`` itself or ``Copy.update``/``Copy.insert`` …"""
    return (isinstance(node, ast.Name) and node.id == "Copy") or (
        isinstance(node, ast.Attribute) and _names_copy(node.value)
    )


def _writes_copy_status(node: ast.AST) -> bool:
    if isinstance(node, ast.Dict):  # {Copy.status: …} as piccolo's update takes it
        return any(key is not None and _is_copy_status(key) for key in node.keys)
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
        return _is_copy_status(node.slice)  # values[Copy.status] = … for an update later
    if isinstance(node, ast.Call) and _names_copy(node.func):
        # Copy.update(status=…), Copy.update({"status": …}), Copy(status=…) for an insert
        if any(k.arg == "status" for k in node.keywords):
            return True
        return any(
            isinstance(a, ast.Dict)
            and any(isinstance(k, ast.Constant) and k.value == "status" for k in a.keys)
            for a in node.args
        )
    text = _text_of(node)
    if text is not None:
        return any(_SETS_STATUS.search(m.group(1)) for m in _SQL_UPDATE_COPY.finditer(text))
    return False


def copy_status_writers(source: str) -> set[str]:
    """Names of the functions (or ``<module>``) in ``source`` that write a copy's status."""
    tree = ast.parse(source)
    found: set[str] = set()

    def visit(node: ast.AST, where: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            where = node.name
        if _writes_copy_status(node):
            found.add(where)
            if isinstance(node, ast.BinOp | ast.JoinedStr):
                return  # the parts of one SQL text are one write
        for child in ast.iter_child_nodes(node):
            visit(child, where)

    visit(tree, "<module>")
    return found


@pytest.mark.parametrize(
    "snippet",
    [
        "async def f():\n    await Copy.update({Copy.status: 'lost'}).where(Copy.id == 1)",
        "async def f():\n    await Copy.update({Copy.status_note: '', Copy.status: s})",
        "async def f():\n    await Copy.update(status='lost')",
        "def f(values):\n    values[Copy.status] = 'withdrawn'",
        "async def f():\n    await Copy.update({'status': 'lost'})",
        "async def f():\n    await Copy.insert(Copy(title=1, barcode='M1', status='on_loan'))",
        "async def f():\n    await Copy.raw(\"UPDATE copy SET status = 'lost' WHERE id = {}\", 1)",
        "async def f():\n    await Hold.raw('update copy set updated_at = {}, status = {}', n, s)",
        "async def f():\n    await Copy.raw('UPDATE \"copy\"\\n SET note = {}, ' + 'status = {}')",
        "async def f():\n    await Copy.raw(f'UPDATE copy SET status = {{}} WHERE title = {t}')",
    ],
)
def test_the_guard_sees_each_way_of_writing_a_copy_status(snippet):
    assert copy_status_writers(snippet) == {"f"}


@pytest.mark.parametrize(
    "snippet",
    [
        "async def f():\n    await Copy.update({Copy.status_note: ''}).where(Copy.status == 'x')",
        "async def f():\n    await Copy.select(Copy.status).where(Copy.status.is_in(s))",
        "async def f():\n    await Copy.raw(\"UPDATE copy SET status_note = '' WHERE status = 1\")",
        "async def f():\n    await Hold.update({Hold.status: 'ready'})",
        "async def f():\n    await Hold.raw('UPDATE hold SET status = {} WHERE copy = {}', s, 1)",
        "async def f():\n    return {'status': copy['status']}",
    ],
)
def test_the_guard_leaves_reads_and_other_tables_alone(snippet):
    assert copy_status_writers(snippet) == set()


def test_only_move_copies_writes_a_copy_status():
    """Every status change goes through the table: a new writer anywhere in the package
    fails here (move it onto ``catalogue.services.move_copy`` with an event)."""
    writers = {
        f"{path.relative_to(ROOT).as_posix()}: {name}"
        for path in sorted((ROOT / "mediathek").rglob("*.py"))
        for name in copy_status_writers(path.read_text(encoding="utf-8"))
    }
    assert writers == {"mediathek/catalogue/copy_moves.py: move_copies"}
