"""Domain events clubs sends so that the apps above it (meetings, bets) can react to a club change
without clubs importing them. Each is a Django `Signal`; receivers live in the reacting app's
`receivers.py` and are connected in its `AppConfig.ready`.

Both are sent inside the service's transaction, with the club row locked, so whatever a receiver
writes (attendances, refunds, ledger rows) commits or rolls back together with the club change, and
an exception a receiver raises undoes the change. They are sent with `Signal.send`, not
`send_robust`: a receiver's error is the service's error. Side effects that must wait for the commit
(email, notifications, tasks) are the receiver's to schedule with `transaction.on_commit`.

Lock order: the sender holds the club (and has dealt with the membership); a receiver takes what it
locks in the order written at the top of bets/services.py, starting below the membership (meetings
by id, then attendances, bets by id, accounts by user id).
"""

from django.dispatch import Signal

member_left = Signal()
"""A member left `club` or was removed from it: `club_leave` and `membership_remove` in
clubs/services.py, right after the membership row is deleted.

Arguments: `sender` (the `Club` class), `club` (the `Club`, its row locked), `user` (the former member).
Received by: bets.receivers.release_from_club_meetings (they are no longer going to the club's coming
meetings, their open bets there are withdrawn and the stakes on them refunded).
"""

club_deleting = Signal()
"""`club_delete` in clubs/services.py is about to delete `club`: a veto point. The caller may delete
the club; a receiver that must keep it raises a `booky.core.errors.DomainError` (usually `Conflict`)
with the reason the user reads, and the club is not deleted.

Arguments: `sender` (the `Club` class), `club` (the `Club`, its row locked).
Received by: bets.receivers.keep_club_with_points_history (a club whose meetings hold bets or ledger
rows stays: the points history is kept for good).
"""
