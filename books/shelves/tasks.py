"""Background work for the shelves: run an uploaded import."""

from django.tasks import task

from books.shelves import importing


@task()
def run_shelf_import(import_id: int) -> str:
    shelf_import = importing.import_run(import_id=import_id)
    return shelf_import.status if shelf_import else "missing"
