"""Meeting pages and their HTMX fragments, one module per page family. Reads use QuerySet methods and
meetings.sections; writes go through meetings/services.py. The meeting page itself, and its edit form,
show the bets too, so they live in booky/site/views/meeting_page.py."""
