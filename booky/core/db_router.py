"""Writes to the primary; a web request's reads to a healthy read replica when it may read one.

Reads go to the primary outside a web request and in the cases booky/core/replicas.py lists (unsafe
methods, a pin cookie, after a write), inside a transaction on the primary (a read in a service's
transaction feeds its writes and must see its own uncommitted rows), and when no replica is healthy
(booky/core/replica_health.py). Installed only when DATABASE_REPLICA_URLS names replicas.
"""

import random

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from booky.core import replica_health
from booky.core.replicas import current_reads


class ReplicaRouter:
    def __init__(self, replicas: list[str] | None = None, problem=None):
        self.replicas = list(settings.REPLICA_ALIASES if replicas is None else replicas)
        self.problem = replica_health.problem if problem is None else problem
        self.databases = {DEFAULT_DB_ALIAS, *self.replicas}

    def db_for_read(self, model, **hints):
        reads = current_reads()
        if reads is None or reads.primary_only or reads.wrote:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if reads.replica is not None and reads.replica not in reads.failed:
            problem = self.problem(reads.replica)
            if problem is None:
                reads.read_a_replica = True
                return reads.replica
            reads.skip(reads.replica, problem)
        reads.replica = None
        # Each request starts at a random replica, which spreads the reads over them.
        start = random.randrange(len(self.replicas)) if len(self.replicas) > 1 else 0
        for alias in self.replicas[start:] + self.replicas[:start]:
            if alias in reads.failed or alias in reads.skipped:
                continue
            problem = self.problem(alias)
            if problem is None:
                reads.replica = alias
                reads.read_a_replica = True
                return alias
            reads.skip(alias, problem)
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        reads = current_reads()
        if reads is not None:
            reads.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # A replica holds the primary's rows: a user read from one may be the author of a post saved
        # to the other.
        if obj1._state.db in self.databases and obj2._state.db in self.databases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db in self.replicas:
            return False  # a replica gets its tables by replaying the primary's migrations
        return None
