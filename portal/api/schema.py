"""OpenAPI post-processing: document the error answers every operation can give, so clients
(and schemathesis) know them: 400 invalid input, 401/403 authentication and permission,
404 missing or outside the caller's scope, 409 workflow guard or stale version, 413 too large,
429 throttled."""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"description": "Human-readable, translated message."},
        "code": {"type": "string"},
    },
    "additionalProperties": True,
}

COMMON = {
    "400": "Invalid input; field errors by name.",
    "401": "Not authenticated.",
    "403": "Not allowed.",
    "404": "Not found, or outside your scope.",
    "409": "Not possible in the record's current state, or someone else changed it (stale version).",
    "413": "Request too large.",
    "429": "Too many requests.",
}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in COMMON.items():
                operation["responses"].setdefault(status, {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                })
    return result
