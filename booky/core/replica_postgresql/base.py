"""PostgreSQL for the read replicas: Django's backend, telling booky.core.replica_health of failures.

Every error Django raises for a connection passes through `wrap_database_errors`, both when it
connects and when a statement runs, so this one hook sees a replica that went away after its last
health check, wherever in the request the failing read was (a view, a template, a middleware).
"""

from django.db import InterfaceError, OperationalError
from django.db.backends.postgresql import base
from django.db.utils import DatabaseErrorWrapper
from django.utils.functional import cached_property

from booky.core import replica_health


class ReplicaErrorWrapper(DatabaseErrorWrapper):
    def __exit__(self, exc_type, exc_value, traceback):
        try:
            return super().__exit__(exc_type, exc_value, traceback)
        # Connection lost or refused, the server shutting down, a query cancelled by a recovery
        # conflict: the replica cannot answer now. Errors in the query itself stay what they are.
        except (OperationalError, InterfaceError) as error:
            replica_health.replica_failed(self.wrapper.alias, error)
            raise


class DatabaseWrapper(base.DatabaseWrapper):
    @cached_property
    def wrap_database_errors(self):
        return ReplicaErrorWrapper(self)
