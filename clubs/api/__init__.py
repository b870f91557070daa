"""The clubs API: serializers in clubs.serializers, viewsets here by resource. Every write goes through
clubs.services.

Role checks happen before input is validated, so a caller without the right role gets 403 whatever
they send; the services check again. The API acts with the caller's role in the club: site-wide
moderation (staff acting on any club) happens in the admin.
"""
