"""Extra schemathesis check: every 4xx answer is a problem document with a readable message."""

import schemathesis


@schemathesis.check
def problem_document_on_client_errors(ctx, response, case):
    if not 400 <= response.status_code < 500:
        return None
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.startswith("application/problem+json"), (
        f"{response.status_code} without a problem document ({content_type})"
    )
    body = response.json()
    assert body.get("status") == response.status_code, "problem status differs"
    detail = body.get("detail") or body.get("title")
    assert isinstance(detail, str) and len(detail) >= 5, "problem without a message"
    return None
