"""API errors in the AWS JSON protocol shape that botocore parses into ClientError.

One function builds every error response, so fault injection (throttling, 5xx) can reuse it.
"""

from __future__ import annotations

import json

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"


class AthenaApiError(Exception):
    """An Athena API call rejected with an AWS error code (e.g. InvalidRequestException)."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        athena_error_code: str | None = None,
        status: int = 400,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.athena_error_code = athena_error_code
        self.status = status


def error_response(
    code: str,
    message: str,
    *,
    athena_error_code: str | None = None,
    status: int = 400,
) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) for an error; botocore reads `__type` (or the
    x-amzn-ErrorType header) as the code and `message` as the text."""
    body: dict[str, str] = {"__type": code, "message": message}
    if athena_error_code:
        body["AthenaErrorCode"] = athena_error_code
    headers = [("Content-Type", JSON_CONTENT_TYPE), ("x-amzn-ErrorType", code)]
    return status, headers, json.dumps(body).encode("utf-8")


def response_for(error: AthenaApiError) -> tuple[int, list[tuple[str, str]], bytes]:
    return error_response(
        error.code, error.message, athena_error_code=error.athena_error_code, status=error.status
    )
