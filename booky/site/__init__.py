"""The top layer: pages and flows that show or change more than one app (home, the meeting page with
its race and bets, the club page with its meetings, profiles, the activity feed, demo data).

It may import every app; no app imports it (see the README's architecture section).
"""
