"""The domain events the social app sends, for higher apps to react to without social knowing them.

Each is a django.dispatch.Signal; receivers live in the higher app (`<app>/receivers.py`) and are
connected in its AppConfig.ready(). Both are sent inside the service's transaction, so what a receiver
writes commits or rolls back with the change that caused it.
"""

from django.dispatch import Signal

# Two members stopped being friends (social.friends.friendship_remove). Sent inside the transaction,
# after the friendship row is deleted. sender=Friendship; kwargs: user (who ended it), other.
# Received by clubs.receivers.withdraw_club_invitations_on_unfriend (pending club invitations between
# the two, either way, end as declined).
friendship_ended = Signal()

# A member blocked another (social.friends.block_create); it also ends their friendship, for which
# friendship_ended is NOT sent separately. Sent inside the transaction, after the block, the friendship
# and pending friend requests are handled. sender=Block; kwargs: blocker, blocked.
# Received by clubs.receivers.withdraw_club_invitations_on_block (as above).
user_blocked = Signal()
