"""Domain events of meetings: what happened to a meeting that a higher app (bets) may react to.

meetings sits below bets (a bet points at a meeting), so meetings cannot call bets; it announces
these instead, and bets connects its receivers in `BetsConfig.ready()` (bets/receivers.py).

Every event here is sent with `Signal.send` from inside the sending service's transaction, after
its own rows are written and locked: a receiver runs synchronously, in that transaction, so the
ledger rows it writes commit or roll back with the meeting's change, and an error it raises
propagates to the service's caller and rolls everything back. A receiver with side effects outside
the database (a task, an email) defers them with `transaction.on_commit`.

The sender is always the `Meeting` class. The lock order of bets/services.py holds: the sender has
locked the meeting (and the attendances it changed) before sending, so a receiver may lock the
meeting's bets and then accounts, never a club, a membership or another meeting.
"""

from django.dispatch import Signal

meeting_start_set = Signal()
"""A meeting got its start time: sent by `meeting_create`, and by `meeting_update` whenever the edit
names `starts_at` (moved or not; a second settlement task for the same start is a no-op).

Arguments: `meeting` (saved, with its new `starts_at`).
Received by bets (`bets.receivers.schedule_settlement`): queues the settlement of the meeting's bets
for its start, after commit."""

race_changed = Signal()
"""An edit changed the race open bets were placed on: the start moved earlier, or the book or the
target page changed (see `meetings.services._race_changed`). Sent by `meeting_update` after the
meeting row is saved and the attendances' finishes are re-decided, before the settlement is
rescheduled.

Arguments: `meeting` (the locked, saved meeting) and `why` (what the hosts changed, as the members
read it: "The hosts moved the start earlier").
Received by bets (`bets.receivers.refund_bets_on_changed_race`): refunds every open bet of the
meeting, with `why` as the ledger note and in each bettor's notification."""

meeting_cancelled = Signal()
"""A scheduled meeting was cancelled: sent by `meeting_cancel` after the status is saved, before the
members are told.

Arguments: `meeting` (the locked, cancelled meeting).
Received by bets (`bets.receivers.settle_cancelled_meeting`): settles the meeting at once, every
open stake refunded, in the same transaction as the cancellation."""

attendee_declined = Signal()
"""A member answered "not going": sent by `attendance_rsvp` every time the answer is "not going"
(again or for the first time), after the attendance is saved.

Arguments: `meeting` (locked) and `user` (the member).
Received by bets (`bets.receivers.refund_bets_on_declined`): refunds every open bet on that member
now, so the pool and the odds count only live stakes."""

members_checked_in = Signal()
"""The host checked members in at a started meeting: sent by `meeting_check_in` after every named
member's attendance is marked checked in, also for members who were checked in before.

Arguments: `meeting` (locked), `users` (the members named, in user-id order) and `walk_ins` (the
subset who had no attendance until this check-in, so never answered the RSVP: their attendance is
created as "going", which says nothing about who had signed up for the race).
Received by bets (`bets.receivers.award_check_in_points`): pays each of `users` the check-in award,
once per member and meeting, when the meeting has a race (bets decides what a race is)."""
