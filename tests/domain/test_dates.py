import datetime as dt

import pytest

from groupsup.domain.dates import BadDate, parse_date

SESSION = dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-01", dt.date(2026, 12, 1)),
        ("1/12/2026", dt.date(2026, 12, 1)),
        ("+14", dt.date(2026, 12, 9)),
        ("+2w", dt.date(2026, 12, 9)),
        (" +3d ", dt.date(2026, 11, 28)),
    ],
)
def test_dates_as_facilitators_type_them(typed, expected):
    assert parse_date(typed, SESSION) == expected


@pytest.mark.parametrize("typed", ["", "next week", "31/02/2026", "14", "2026-13-01"])
def test_a_date_that_is_not_one_says_how_to_type_it(typed):
    with pytest.raises(BadDate) as caught:
        parse_date(typed, SESSION)
    assert str(caught.value) == (  # the example is two weeks after the session: never past
        f"'{typed}' is not a date: type a date as 2026-12-09 or 9/12/2026, or +14 (days) or "
        "+2w (weeks) from the session."
    )
