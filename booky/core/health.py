"""Liveness and readiness probes for load balancers and docker compose.

`/healthz` (liveness): the process answers. `/readyz` (readiness): send this node traffic. It answers
503 while the database is unreachable, and from the moment gunicorn got SIGTERM until it stops (the
drain, see booky/gunicorn.conf.py), so a load balancer takes the node out before its listener closes.
"""

import os

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from booky.core.outages import RETRY_AFTER_SECONDS


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    if is_draining():
        return _not_ready({"status": "draining"})
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return _not_ready({"status": "unavailable", "database": type(error).__name__})
    return JsonResponse({"status": "ok", "database": "ok"})


# gunicorn's master creates this file when it gets SIGTERM; every worker sees it (a flag in memory
# would live in the master only). Setting the variable by hand lets an operator drain a node too.
DRAINING_FILE_VARIABLE = "BOOKY_DRAINING_FILE"


def is_draining() -> bool:
    path = os.environ.get(DRAINING_FILE_VARIABLE, "")
    return bool(path) and os.path.exists(path)


def _not_ready(payload: dict) -> JsonResponse:
    response = JsonResponse(payload, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
