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

# The service, report and import tests run on SQLite and PostgreSQL (conftest.py).
pytestmark = pytest.mark.both_engines

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


def months(report):
    return {
        m.month: (
            m.posts,
            m.minutes,
            m.time_cost_cents,
            m.direct_cost_cents,
            m.contacts,
            m.intakes,
            m.patients,
            m.revenue_cents,
        )
        for m in report.monthly
    }


def test_monthly_trend_first_touch(store, golden):
    report = roi_report(store, Q1, "first")
    assert [m.month for m in report.monthly] == ["2025-01", "2025-02", "2025-03"]
    assert months(report) == {
        # r/sleep 5 Jan, 60 min = 100.00; u/one met 10 Jan (r/sleep), intake 25 Jan.
        "2025-01": (1, 60, 10000, 0, 1, 1, 0, 0),
        # r/sleep 5 Feb 90 min + forum 9 Feb 45 min = 135 min = 225.00; r/sleep
        # spend 1 Feb 50.00; u/two met 1 Feb, intake 10 Feb; u/one's first visit
        # 5 Feb and payment 120.00.
        "2025-02": (2, 135, 22500, 5000, 1, 1, 1, 12000),
        # r/sleep 5 Mar 30 min = 50.00; u/three (met 1 Mar) is unattributed;
        # u/one paid 120.00.
        "2025-03": (1, 30, 5000, 0, 0, 0, 0, 12000),
    }
    # The months add up to the totals.
    total = report.total
    assert sum(m.posts for m in report.monthly) == total.posts == 4
    assert sum(m.minutes for m in report.monthly) == total.minutes == 225
    assert sum(m.revenue_cents for m in report.monthly) == total.revenue_cents == 24000
    assert sum(m.contacts for m in report.monthly) == total.contacts == 2


def test_monthly_trend_linear_for_one_community(store, golden):
    a, _b = golden
    report = roi_report(store, Q1, "linear", community_ids=[a])
    # Only r/sleep's posts and spend; u/one's half share of contact, intake,
    # first visit and each 120.00 payment (60.00).
    assert months(report) == {
        "2025-01": (1, 60, 10000, 0, 0.5, 0.5, 0, 0),
        "2025-02": (1, 90, 15000, 5000, 0, 0, 0.5, 6000),
        "2025-03": (1, 30, 5000, 0, 0, 0, 0, 6000),
    }


def test_month_of_uses_the_dialects_own_function():
    from sqlalchemy.dialects import postgresql, sqlite

    from outreach.models import Post
    from outreach.services.roi import month_of

    assert "strftime" in str(month_of(Post.posted_at, "sqlite").compile(dialect=sqlite.dialect()))
    pg = str(month_of(Post.posted_at, "postgresql").compile(dialect=postgresql.dialect()))
    assert "to_char" in pg


def test_months_of_a_period_cross_the_year():
    from outreach.services.roi import months_of

    assert months_of(Period(date(2024, 11, 15), date(2025, 2, 1))) == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]


def test_unattributed_is_shown_apart_from_the_totals(store, actor, golden):
    five = people.create_contact(
        store, actor, people.ContactData(handle="u/five"), when=at(2025, 3, 10)
    )
    referrals.save_referral(
        store,
        actor,
        five,
        referrals.ReferralData(completed_on=date(2025, 3, 12), first_visit_on=date(2025, 3, 20)),
    )
    ledger.add_revenue(store, actor, five, date(2025, 3, 20), 8000)
    for model in ("first", "last", "linear"):
        report = roi_report(store, Q1, model)
        un = report.unattributed
        # u/three (met 1 Mar) and u/five (met 10 Mar, intake, visit, 80.00).
        assert (un.contacts, un.intakes, un.patients, un.revenue_cents) == (2, 1, 1, 8000), model
        assert report.total.revenue_cents == 24000  # never mixed into the totals


def test_funnel_of_contacts_met_in_the_period(store, golden):
    report = roi_report(store, Q1)
    # Met in Q1: u/one, u/two, u/three (u/four was met in December).
    # Sent: u/one and u/two completed forms (counted as sent); booked and seen: u/one.
    assert report.funnel == [
        ("Contacts", 3),
        ("Intake sent", 2),
        ("Intake completed", 2),
        ("Booked", 1),
        ("Patients", 1),
    ]
    assert report.funnel_rates == [0.6667, 1.0, 0.5, 1.0]  # 2/3, 2/2, 1/2, 1/1


def test_funnel_counts_steps_reached_by_the_end_of_the_period(store, golden):
    a, _b = golden
    january = roi_report(store, Period(date(2025, 1, 1), date(2025, 1, 31)), community_ids=[a])
    # u/one: met 10 Jan, intake 25 Jan; booked 1 Feb and seen 5 Feb are after January.
    assert [n for _, n in january.funnel] == [1, 1, 1, 0, 0]
    assert january.funnel_rates == [1.0, 1.0, 0.0, None]  # nothing booked: nothing to divide


def test_top_posts_by_replies_reactions_and_clicks(store, actor, golden):
    a, b = golden
    june = Period(date(2025, 6, 1), date(2025, 6, 30))
    for day in range(1, 13):
        posts_svc.create_post(
            store,
            actor,
            posts_svc.PostData(
                a if day % 2 else b,
                at(2025, 6, day),
                "answer",
                title=f"post {day}",
                replies=day,
                reactions=1,
                clicks=0 if day != 3 else 50,
                views=1000,  # views are not response: they do not rank
            ),
        )
    posts_svc.create_post(
        store, actor, posts_svc.PostData(a, at(2025, 6, 20), "answer", title="silent")
    )
    top = roi_report(store, june).top_posts
    assert len(top) == 10
    assert [p.title for p in top[:3]] == ["post 3", "post 12", "post 11"]  # 54, 13, 12
    assert top[0].engagement == 3 + 1 + 50 and top[0].community == "r/sleep"
    assert "silent" not in {p.title for p in top}
    only_forum = roi_report(store, june, community_ids=[b]).top_posts
    assert {p.community for p in only_forum} == {"Sleep forum"}


def test_monthly_csv(store, golden, tmp_path):
    import csv

    from outreach.services.roi import write_monthly_csv

    path = tmp_path / "monthly.csv"
    assert write_monthly_csv(roi_report(store, Q1), path) == 3
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["month", "posts", "hours", "direct_cost", "contacts", "intakes", "patients", "revenue"],
        ["2025-01", "1", "1.00", "0.00", "1", "1", "0", "0.00"],
        ["2025-02", "2", "2.25", "50.00", "1", "1", "1", "120.00"],
        ["2025-03", "1", "0.50", "0.00", "0", "0", "0", "120.00"],
    ]


def test_an_empty_period_has_empty_trend_funnel_and_lists(store, golden):
    from outreach.services.roi import MonthFigures

    report = roi_report(store, Period(date(2020, 1, 1), date(2020, 1, 31)))
    assert report.monthly == [MonthFigures("2020-01")]
    assert [n for _, n in report.funnel] == [0, 0, 0, 0, 0]
    assert report.funnel_rates == [None, None, None, None]
    u = report.unattributed
    assert (u.contacts, u.intakes, u.patients, u.revenue_cents) == (0, 0, 0, 0)
    assert report.top_posts == [] and report.compliance.empty


def test_the_report_carries_the_compliance_summary(store, actor):
    from datetime import UTC, datetime

    from outreach.services import communities as com
    from outreach.services import posts as posts_svc

    cid = com.create_community(store, actor, com.CommunityData(name="r/CPAP"))
    posts_svc.create_post(
        store,
        actor,
        posts_svc.PostData(cid, datetime(2024, 3, 5, tzinfo=UTC), "advice", "old", body="x"),
        source="import",
    )
    report = roi_report(store, Period(date(2024, 3, 1), date(2024, 3, 31)))
    assert (report.compliance.advice_posts, report.compliance.unchecked) == (1, 1)
