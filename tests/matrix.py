"""The shared harness of the permission matrices (tests/*/test_permission_matrix.py): what each door
(HTML page, HTMX fragment, API) answers for an expected outcome, and the unchanged-data rule."""

from rest_framework.test import APIClient

OK, LOGIN, FORBIDDEN, MISSING, CONFLICT = "ok", "login", "forbidden", "missing", "conflict"
API_STATUS = {LOGIN: 401, FORBIDDEN: 403, MISSING: 404, CONFLICT: 409}


def send_page(client, method: str, url: str, data, *, htmx: bool, current_url: str):
    headers = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{current_url}"} if htmx else {}
    if method == "get":
        return client.get(url, headers=headers)
    return client.post(url, data, headers=headers)


def check_page(response, outcome: str, *, htmx: bool) -> None:
    login_redirect = response.headers.get("HX-Redirect" if htmx else "Location", "")
    if outcome == OK:
        assert response.status_code in (200, 302), response.status_code
        assert "/accounts/login/" not in login_redirect
    elif outcome == LOGIN:
        assert response.status_code == (200 if htmx else 302), response.status_code
        assert login_redirect.startswith("/accounts/login/")
    elif outcome == FORBIDDEN:
        assert response.status_code == 403
    elif outcome == MISSING:
        assert response.status_code == 404
    elif outcome == CONFLICT:
        # The page redirects back with the message; the fragment shows it in place.
        assert response.status_code == (409 if htmx else 302)


def send_api(actor, method: str, url: str, payload):
    api_client = APIClient()
    if actor:
        api_client.force_authenticate(actor)
    return getattr(api_client, method)(url, payload, format="json")


def check_api(response, outcome: str) -> None:
    if outcome == OK:
        assert 200 <= response.status_code < 300, response.content
    else:
        assert response.status_code == API_STATUS[outcome], response.content
        assert {"detail", "code"} <= set(response.json())


def check_data(before, after, *, outcome: str, changes_data: bool) -> None:
    if outcome != OK or not changes_data:
        assert after == before, "a refused or read-only request changed data"
    else:
        assert after != before, "an allowed write changed nothing"
