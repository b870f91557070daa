from django import template

from books.shelves.models import Shelf

register = template.Library()


@register.simple_tag
def shelf_choices():
    """[(value, label), …] of the shelves, for the shelf buttons wherever a book shows."""
    return Shelf.choices
