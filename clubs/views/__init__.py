"""Club pages and their HTMX fragments, one module per page family. Reads use QuerySet methods;
writes go through clubs/services.py and clubs/invitations.py. Shared helpers: clubs/page_helpers.py."""
