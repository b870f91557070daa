"""Error reports to Sentry (or any Sentry-compatible service) when SENTRY_DSN is set.

No personal data leaves by default: no user (id, email, IP address), no cookies, no request bodies,
no query strings, no local variables of stack frames, no SQL parameters, and only request headers
that say nothing about the person. What remains is what a fix needs: the exception, its stack trace,
the view and URL path, the release and the environment.
"""

import sentry_sdk

# Headers that describe the request, not the person or their credentials.
REPORTED_HEADERS = ["accept", "content-type", "content-length", "hx-request", "hx-target", "user-agent"]

DATA_COLLECTION = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_headers": {"request": {"mode": "allowlist", "terms": REPORTED_HEADERS}},
    "http_bodies": [],
    "url_query_params": {"mode": "off"},
    "database_query_data": False,
    "stack_frame_variables": False,
}


def error_reports_start(
    *, dsn: str, environment: str, release: str | None, traces_sample_rate: float
) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        data_collection=DATA_COLLECTION,
        # Errors only: request logs are our own (booky.request), and a 404 is not an error here.
        send_client_reports=False,
    )
