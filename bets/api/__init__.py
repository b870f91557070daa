"""The points and bets API: serializers in bets.serializers, views here by resource. Every write goes
through bets.services; reads come from bets.selectors and bets.leaderboards, the same ones the pages
use.

A meeting's bets are seen by whoever can see the meeting (a private club's meetings are 404 to
outsiders): the odds board always, every single bet only once bets have closed. A bet itself is
only its bettor's business: other people get 404 for it.
"""
