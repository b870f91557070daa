"""Every page and fragment the benchmark loads (bench/run.py) stays within its query budget, and costs
the same number of queries on a seeded data set five times larger: counts do not grow with the data.

The data are bench/seed.py's, at two small scales, each seeded inside a savepoint that is rolled back
afterwards. Each page is read cold (empty cache), the costlier case: cached fragments would hide
queries."""

from dataclasses import asdict

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.run import pages_for
from bench.seed import seed
from social.models import User

pytestmark = pytest.mark.django_db

SMALL, LARGE = 0.005, 0.025


def _queries_per_page(scale: float) -> dict[str, tuple[int, int, int]]:
    """(status, queries, budget) of every bench page, on the data set seeded at `scale`."""
    with transaction.atomic():
        data = asdict(seed(scale))
        member = User.objects.get(username=data["member_username"])
        signed_in, visitor = Client(), Client()
        signed_in.force_login(member)
        answers = {}
        for page in pages_for(data):
            client = visitor if page.who == "visitor" else signed_in
            headers = {"HX-Request": "true"} if page.htmx else {}
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(page.path, headers=headers)
            answers[page.name] = (response.status_code, len(queries), page.budget)
        transaction.set_rollback(True)
    return answers


def test_every_bench_page_stays_within_its_budget_whatever_the_size_of_the_data():
    small = _queries_per_page(SMALL)
    large = _queries_per_page(LARGE)

    assert {name: status for name, (status, _q, _b) in large.items() if status != 200} == {}
    over = {name: (queries, budget) for name, (_s, queries, budget) in large.items() if queries > budget}
    assert over == {}
    grew = {
        name: (small[name][1], queries)
        for name, (_s, queries, _b) in large.items()
        if queries != small[name][1]
    }
    assert grew == {}
