import json
import logging
import sys

import pytest

from booky.core.request_log import JsonFormatter

REQUEST_LOGGER = "booky.request"


def request_records(caplog):
    return [record for record in caplog.records if record.name == REQUEST_LOGGER]


def test_each_request_logs_one_line_with_method_path_status_and_duration(client, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    client.get("/healthz")
    [record] = request_records(caplog)
    assert record.method == "GET"
    assert record.path == "/healthz"
    assert record.status == 200
    assert record.duration_ms >= 0
    assert record.user_id is None
    assert record.getMessage().startswith("GET /healthz 200 ")
    assert record.getMessage().endswith("ms user=None")


def test_request_log_names_the_logged_in_user(client, user, caplog):
    client.force_login(user)
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    client.get("/")
    [record] = request_records(caplog)
    assert record.user_id == user.pk
    assert record.getMessage().endswith(f"user={user.pk}")


def test_request_log_records_the_error_status(client, db, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    client.post("/healthz")
    client.get("/no-such-page/")
    assert [(record.method, record.path, record.status) for record in request_records(caplog)] == [
        ("POST", "/healthz", 405),
        ("GET", "/no-such-page/", 404),
    ]


def test_json_formatter_writes_the_request_fields_as_one_json_object():
    record = logging.LogRecord(REQUEST_LOGGER, logging.INFO, __file__, 1, "GET %s 200", ("/clubs/",), None)
    fields = {"method": "GET", "path": "/clubs/", "status": 200, "duration_ms": 3.2, "user_id": 7}
    for name, value in fields.items():
        setattr(record, name, value)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    payload = json.loads(line)
    assert payload["message"] == "GET /clubs/ 200"
    assert payload["level"] == "INFO"
    assert payload["logger"] == REQUEST_LOGGER
    assert {key: payload[key] for key in fields} == fields


def test_json_formatter_includes_the_exception():
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.LogRecord("booky", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    payload = json.loads(JsonFormatter().format(record))
    assert "ValueError: broken" in payload["exception"]


@pytest.mark.parametrize(("log_json", "is_json"), [("1", True), ("", False)])
def test_log_json_switches_the_console_log_to_json_lines(run_django, log_json, is_json):
    code = "import django; django.setup(); from django.test import Client; Client().get('/healthz')"
    result = run_django(code, {"DEBUG": "1", "LOG_JSON": log_json})
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stderr.splitlines() if "/healthz" in line]
    if is_json:
        payload = json.loads(line)
        assert payload["logger"] == REQUEST_LOGGER
        assert (payload["method"], payload["path"], payload["status"], payload["user_id"]) == (
            "GET",
            "/healthz",
            200,
            None,
        )
    else:
        assert " INFO booky.request GET /healthz 200 " in line


def test_a_search_logs_what_was_searched(client, db, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    client.get("/books/", {"q": "les misérables", "page": "2"})
    [record] = request_records(caplog)
    assert record.path == "/books/"
    assert record.query == "q=les+mis%C3%A9rables&page=2"
    assert record.getMessage().startswith("GET /books/?q=les+mis%C3%A9rables&page=2 200 ")


def test_a_request_without_a_query_string_logs_an_empty_query(client, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    client.get("/healthz")
    [record] = request_records(caplog)
    assert record.query == ""
    assert "?" not in record.getMessage()


SECRET_PARAMETERS = [
    "token",
    "access_token",
    "refreshToken",
    "password",
    "new_password1",
    "client_secret",
    "api_key",
    "key",
    "code",
    "X-Amz-Signature",
    "sig",
    "sessionid",
    "csrfmiddlewaretoken",
    "state",
    "otp",
]


@pytest.mark.parametrize("name", SECRET_PARAMETERS)
def test_secret_values_in_the_query_string_are_redacted(client, db, caplog, name):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    client.get("/books/", {"q": "dune", name: "s3cr3t-value"})
    [record] = request_records(caplog)
    assert "s3cr3t-value" not in record.getMessage()
    assert "s3cr3t-value" not in JsonFormatter().format(record)
    assert record.query == f"q=dune&{name}=[redacted]"


@pytest.mark.parametrize("name", ["q", "page", "keyword", "postcode", "field", "since", "book_q"])
def test_ordinary_parameters_are_logged_as_sent(client, db, caplog, name):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    client.get("/books/", {name: "plain"})
    [record] = request_records(caplog)
    assert record.query == f"{name}=plain"


def test_a_secret_in_the_path_is_redacted(client, db, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    client.get("/accounts/password/reset/key/3f-s3cr3tresetkey/")
    [record] = request_records(caplog)
    assert "s3cr3tresetkey" not in record.getMessage()
    assert record.path == "/accounts/password/reset/key/[redacted]-[redacted]/"


def test_a_very_long_query_string_is_cut(client, db, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    client.get("/books/", {"q": "a" * 5000})
    [record] = request_records(caplog)
    assert len(record.query) == 500 and record.query.startswith("q=aaa")
