"""The meetings API: serializers in meetings.serializers, viewsets here by resource. Every write goes
through meetings.services.

Role checks happen before input is validated, so a caller without the right role gets 403 whatever
they send; the services check again. A private club's meetings are 404 to outsiders.

Optimistic locking (booky.core.etags): a meeting's (and a member's progress's) `version` is its ETag.
PATCH needs the version the client last saw, in `If-Match` or a `version` field, and answers 409 with
the current values when someone else changed the meeting in between. Progress takes the version
optionally.
"""
