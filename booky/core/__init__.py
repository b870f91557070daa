"""The floor every app stands on: errors, HTMX and API helpers, numbers, validators, middleware.

booky.core imports no Booky app; every app may import it (see the README's architecture section).
"""
