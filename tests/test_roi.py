"""A golden dataset whose every figure was worked out by hand (the arithmetic is
in the comments), checked under each attribution model."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from outreach.services import communities as com
from outreach.services import contacts as people
from outreach.services import ledger, referrals
from outreach.services import posts as posts_svc
from outreach.services.profile import set_setting
from outreach.services.roi import Period, roi_report

Q1 = Period(date(2025, 1, 1), date(2025, 3, 31))  # 90 days


def at(y, m, d, h=12):
    return datetime(y, m, d, h, tzinfo=UTC)


@pytest.fixture
def golden(store, actor):
    for key, value in {
        "hourly_rate": "100.00",
        "fee_per_visit": "120.00",
        "visits_per_year": "8",
        "years_retained": "1.5",
    }.items():
        set_setting(store, actor, key, value)
    a = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    b = com.create_community(store, actor, com.CommunityData(name="Sleep forum"))

    def post(cid, when, minutes):
        posts_svc.create_post(
            store, actor, posts_svc.PostData(cid, when, "answer", title="t", minutes_spent=minutes)
        )

    post(a, at(2025, 1, 5), 60)
    post(a, at(2025, 2, 5), 90)
    post(a, at(2025, 3, 5), 30)  # A: 180 min = 3 h -> 3 x 100.00 = 300.00
    post(b, at(2025, 2, 9), 45)  # B: 45 min = 0.75 h -> 75.00
    post(a, at(2024, 12, 15), 120)  # previous period only
    ledger.add_cost(store, actor, a, date(2025, 2, 1), 5000)  # A direct 50.00
    ledger.add_cost(store, actor, a, date(2025, 4, 1), 9900)  # outside

    c1 = people.create_contact(
        store, actor, people.ContactData(handle="u/one", first_community_id=a), when=at(2025, 1, 10)
    )
    people.log_interaction(
        store, actor, c1, people.InteractionData(at(2025, 1, 10), "community_reply", community_id=a)
    )
    people.log_interaction(
        store, actor, c1, people.InteractionData(at(2025, 1, 12), "direct_message")
    )
    people.log_interaction(
        store, actor, c1, people.InteractionData(at(2025, 1, 20), "community_reply", community_id=b)
    )
    referrals.save_referral(
        store,
        actor,
        c1,
        referrals.ReferralData(
            completed_on=date(2025, 1, 25),
            booked_on=date(2025, 2, 1),
            first_visit_on=date(2025, 2, 5),
            answer_useful="Yes, very",
            answer_where="Reddit",
        ),
    )
    for day in (date(2025, 2, 5), date(2025, 3, 5), date(2025, 4, 5)):
        ledger.add_revenue(store, actor, c1, day, 12000)  # 240.00 in Q1

    c2 = people.create_contact(
        store, actor, people.ContactData(handle="u/two", first_community_id=b), when=at(2025, 2, 1)
    )
    people.log_interaction(
        store, actor, c2, people.InteractionData(at(2025, 2, 1), "community_reply", community_id=b)
    )
    referrals.save_referral(
        store,
        actor,
        c2,
        referrals.ReferralData(
            completed_on=date(2025, 2, 10), answer_useful="No", answer_where="reddit "
        ),
    )
    people.create_contact(
        store, actor, people.ContactData(handle="u/three"), when=at(2025, 3, 1)
    )  # unattributed
    c4 = people.create_contact(
        store,
        actor,
        people.ContactData(handle="u/four", first_community_id=a),
        when=at(2024, 12, 20),
    )
    people.log_interaction(
        store,
        actor,
        c4,
        people.InteractionData(at(2024, 12, 20), "community_reply", community_id=a),
    )
    return a, b


def by_name(report):
    return {r.name: r for r in report.rows}


def test_first_touch(store, golden):
    report = roi_report(store, Q1, "first")
    a, b = by_name(report)["r/sleep"], by_name(report)["Sleep forum"]
    assert (a.posts, a.minutes, a.time_cost_cents, a.direct_cost_cents) == (3, 180, 30000, 5000)
    assert a.total_cost_cents == 35000
    assert (a.contacts, a.intakes, a.patients, a.revenue_cents) == (1, 1, 1, 24000)
    assert a.roi_percent == -31.4  # (240 - 350) / 350 = -31.43 %
    assert a.cost_per_contact_cents == a.cost_per_intake_cents == a.cost_per_patient_cents == 35000
    assert (b.time_cost_cents, b.contacts, b.intakes, b.patients, b.revenue_cents) == (
        7500,
        1,
        1,
        0,
        0,
    )
    assert b.roi_percent == -100.0
    assert b.cost_per_patient_cents is None  # no patients: shown as a dash, never an error
    total = report.total
    assert (total.posts, total.minutes, total.total_cost_cents, total.contacts) == (
        4,
        225,
        42500,
        2,
    )
    assert report.lifetime_value_cents == 144000  # 120.00 x 8 x 1.5
    assert report.median_days_to_first_visit == 26  # 10 Jan -> 5 Feb
    assert report.useful_share == 0.5
    assert [(w.lower(), n) for w, n in report.where_people_look] == [("reddit", 2)]


def test_previous_period_of_the_same_length(store, golden):
    report = roi_report(store, Q1)
    assert report.period.previous() == Period(date(2024, 10, 3), date(2024, 12, 31))
    previous = report.previous_total
    assert (previous.posts, previous.time_cost_cents, previous.contacts) == (1, 20000, 1)


def test_last_touch(store, golden):
    # c1's last community touch before the intake was the forum (20 Jan), c2's too.
    rows = by_name(roi_report(store, Q1, "last"))
    a, b = rows["r/sleep"], rows["Sleep forum"]
    assert (a.contacts, a.intakes, a.patients, a.revenue_cents) == (0, 0, 0, 0)
    assert (b.contacts, b.intakes, b.patients, b.revenue_cents) == (2, 2, 1, 24000)
    assert b.roi_percent == 220.0  # (240 - 75) / 75


def test_linear(store, golden):
    # c1 touched r/sleep and the forum: half each; c2 only the forum.
    rows = by_name(roi_report(store, Q1, "linear"))
    a, b = rows["r/sleep"], rows["Sleep forum"]
    assert (a.contacts, a.intakes, a.patients, a.revenue_cents) == (0.5, 0.5, 0.5, 12000)
    assert (b.contacts, b.intakes, b.patients, b.revenue_cents) == (1.5, 1.5, 0.5, 12000)
    assert a.roi_percent == -65.7  # (120 - 350) / 350
    assert b.roi_percent == 60.0  # (120 - 75) / 75
    assert a.cost_per_patient_cents == 70000  # 350.00 / 0.5


def test_verdicts_wait_for_enough_data(store, golden):
    rows = by_name(roi_report(store, Q1))
    assert rows["r/sleep"].verdict == "keep testing"
    assert "not enough data" in rows["r/sleep"].verdict_reason


def test_choice_of_communities(store, golden):
    a, _b = golden
    report = roi_report(store, Q1, community_ids=[a])
    assert [r.name for r in report.rows] == ["r/sleep"]
    assert report.total.total_cost_cents == 35000


def test_an_empty_period_is_a_valid_empty_report(store, golden):
    report = roi_report(store, Period(date(2020, 1, 1), date(2020, 1, 31)))
    assert report.empty
    assert report.total.roi_percent is None and report.median_days_to_first_visit is None
    assert report.useful_share is None


def test_verdict_rule():
    from outreach.services.roi import Figures, verdict

    year = Period(date(2025, 1, 1), date(2025, 12, 31))
    busy = dict(minutes=1200, time_cost_cents=200000)
    assert verdict(Figures(1, "x", **busy, contacts=3), year, 12000, 144000)[0] == "reduce"
    assert verdict(Figures(1, "x", **busy), year, 12000, 144000)[0] == "stop"
    assert (
        verdict(
            Figures(1, "x", **busy, contacts=5, patients=2, revenue_cents=250000),
            year,
            12000,
            144000,
        )[0]
        == "grow"
    )
    assert (
        verdict(
            Figures(1, "x", **busy, contacts=5, patients=2, revenue_cents=50000),
            year,
            12000,
            144000,
        )[0]
        == "keep testing"
    )
    assert (
        verdict(
            Figures(1, "x", **busy, contacts=5, patients=1, revenue_cents=0), year, 12000, 144000
        )[0]
        == "reduce"
    )


def test_csv_rows_are_plain_decimals_and_empty_where_undefined(store, golden):
    from outreach.services.roi import csv_rows

    rows = {r[0]: r for r in csv_rows(roi_report(store, Q1))}
    assert rows["r/sleep"] == [
        "r/sleep",
        "3",
        "3.00",
        "300.00",
        "50.00",
        "1",
        "1",
        "1",
        "240.00",
        "350.00",
        "350.00",
        "-31.4",
        "keep testing",
    ]
    assert rows["Sleep forum"][9:12] == ["75.00", "", "-100.0"]
