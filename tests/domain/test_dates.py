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


def test_a_day_typed_without_a_day_to_count_from_is_offered_only_what_it_can_be():
    """A report's --from has no session to count +14 from: the hint offers dates alone."""
    with pytest.raises(BadDate) as caught:
        parse_date("+3")
    assert str(caught.value).startswith("'+3' is not a date: type a date as ")
    assert "+14" not in str(caught.value) and "from the session" not in str(caught.value)
    with pytest.raises(BadDate) as caught:
        parse_date("soon", SESSION, "today")
    assert str(caught.value).endswith("or +14 (days) or +2w (weeks) from today.")
