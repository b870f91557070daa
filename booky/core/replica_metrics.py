"""The read replicas' Prometheus metrics, in the default registry (which /metrics exposes)."""

from prometheus_client import Counter

# One per request and skipped replica: the request's reads went elsewhere (another replica or the
# primary) because that replica was down (connection or query failed) or lagging.
replica_fallbacks = Counter(
    "booky_replica_fallbacks_total",
    "Requests whose reads skipped a read replica, by replica and reason (down, lag)",
    ["replica", "reason"],
)
