"""Active readers, for `make bench-capacity` (bench/run.py --capacity starts the server and runs this).

Each simulated reader has their own session and a meeting of theirs (bench/run.py writes them to the
file named by BENCH_READERS). Like a member with an open meeting tab, a reader
- opens a page every 20 s (the meeting page, home, my clubs, their club, the leaderboard, in turn),
- polls the race and the bets every 30 s (htmx fragments, as meetings.js and the bets section do),
- polls the notification bell every 60 s.
Polls revalidate as a browser does: each sends back the ETag of its last answer (If-None-Match).
Start times are spread at random, so thousands of readers do not poll in step.
"""

import itertools
import json
import os
import random
import time
from pathlib import Path

from locust import HttpUser, task

PAGE_SECONDS, RACE_SECONDS, BELL_SECONDS = 20, 30, 60
READERS = json.loads(Path(os.environ["BENCH_READERS"]).read_text()) if os.environ.get("BENCH_READERS") else []
_next_reader = itertools.count()


class Reader(HttpUser):
    def on_start(self):
        reader = READERS[next(_next_reader) % len(READERS)]
        self.meeting = reader["meeting"]
        self.headers = {"Cookie": reader["cookie"], "Accept-Encoding": "gzip, deflate, br"}
        meeting_url = f"/meetings/{self.meeting}/"
        self.pages = itertools.cycle(
            [meeting_url, "/", "/clubs/mine/", f"/clubs/{reader['club']}/", "/leaderboards/global/"]
        )
        self.etags: dict[str, str] = {}
        now = time.monotonic()
        self.due = {
            "page": now + random.uniform(0, PAGE_SECONDS),
            "race": now + random.uniform(0, RACE_SECONDS),
            "bell": now + random.uniform(0, BELL_SECONDS),
        }

    def wait_time(self):
        return max(0.0, min(self.due.values()) - time.monotonic())

    def _get(self, path: str, name: str, *, htmx: bool = False):
        headers = {**self.headers, "HX-Request": "true"} if htmx else dict(self.headers)
        if htmx and path in self.etags:
            headers["If-None-Match"] = self.etags[path]
        response = self.client.get(path, headers=headers, name=name)
        if htmx and response.headers.get("ETag"):
            self.etags[path] = response.headers["ETag"]

    @task
    def whatever_is_due(self):
        now = time.monotonic()
        if self.due["page"] <= now:
            self._get(next(self.pages), "page")
            self.due["page"] += PAGE_SECONDS
        if self.due["race"] <= now:
            self._get(f"/meetings/{self.meeting}/", "race poll", htmx=True)
            self._get(f"/meetings/{self.meeting}/bets/", "bets poll", htmx=True)
            self.due["race"] += RACE_SECONDS
        if self.due["bell"] <= now:
            self._get("/notifications/bell/", "bell poll", htmx=True)
            self.due["bell"] += BELL_SECONDS
