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


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _has_binary(schema, components, seen=()) -> bool:
    if not isinstance(schema, dict):
        return False
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return name not in seen and _has_binary(components.get(name, {}), components, (*seen, name))
    if schema.get("format") == "binary":
        return True
    children = [*schema.get("properties", {}).values(), schema.get("items"),
                *schema.get("allOf", []), *schema.get("oneOf", []), *schema.get("anyOf", [])]
    return any(_has_binary(c, components, seen) for c in children if c)


def json_request_bodies(result, generator, request, public):
    """Document JSON as the request body of every operation that takes no file. The form
    encodings DRF also parses cannot say null or a nested list, so offering them would promise
    bodies (`raised_on=null`) that mean something else once form-encoded; they still work."""
    components = result.get("components", {}).get("schemas", {})
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            content = operation.get("requestBody", {}).get("content") if isinstance(operation, dict) else None
            if not content or "application/json" not in content:
                continue
            if any(_has_binary(content[t].get("schema", {}), components) for t in FORM_TYPES if t in content):
                continue
            for media_type in FORM_TYPES:
                content.pop(media_type, None)
    return result


# Our apps, whose model choice fields get stable enum names in the schema.
_ENUM_APPS = ("organizations", "notifications", "members", "consultations", "proposals", "hall", "reports", "portal")


def install_enum_name_overrides() -> None:
    """Name every choice set of our models after its model and field (TopicStatusEnum,
    ProposalStatusEnum …) instead of letting many `status`/`kind` fields collide into hashed
    names. Called from PortalConfig.ready(), before any schema is generated; a name given
    explicitly in settings wins."""
    from django.apps import apps
    from django.conf import settings
    from drf_spectacular.plumbing import list_hash

    overrides = settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
    seen = set()
    for model in apps.get_models():
        if model._meta.app_label not in _ENUM_APPS:
            continue
        for field in model._meta.concrete_fields:
            if not field.choices:
                continue
            choices = [(v, label) for v, label in field.flatchoices if v not in ("", None)]
            key = list_hash(choices)
            name = model.__name__ + "".join(part.title() for part in field.name.split("_")) + "Enum"
            if key in seen or name in overrides:
                continue
            seen.add(key)
            overrides[name] = choices
    # Choice classes used only by serializers (e.g. a rating's attitude and result share one).
    import importlib
    import inspect

    from django.db.models import Choices

    for label in _ENUM_APPS:
        try:
            module = importlib.import_module(f"{label}.models")
        except ImportError:
            continue
        for attr, obj in sorted(vars(module).items()):
            if not (inspect.isclass(obj) and issubclass(obj, Choices) and obj.__module__ == module.__name__):
                continue
            choices = [(v, lbl) for v, lbl in obj.choices if v not in ("", None)]
            key = list_hash(choices)
            name = attr + "Enum"
            if key in seen or name in overrides:
                continue
            seen.add(key)
            overrides[name] = choices
