"""Reading AWS errors without importing botocore (it is there only when an AWS backend is)."""

from __future__ import annotations


def error_code(exc: BaseException) -> str | None:
    """The service's error code of a botocore `ClientError` ("ValidationException", ...), else None."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    error = response.get("Error")
    code = error.get("Code") if isinstance(error, dict) else None
    return str(code) if code else None
