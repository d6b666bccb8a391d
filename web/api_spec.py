"""The OpenAPI 3 document of `/api/v1`, generated from the code with apispec.

Each API view carries an operation id (`@operation`); its parameters and responses are declared
here, the paths come from Flask's url_map, and the intake body schema is derived from the
complaint start form itself, so the document cannot drift from what the server validates.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec

OPERATIONS: dict[str, dict[str, Any]] = {}
_NULL_STR = {"type": "string", "nullable": True}
_NULL_TS = {"type": "string", "format": "date-time", "nullable": True}


def _ok(schema: str, description: str = "OK", status: str = "200") -> dict[str, Any]:
    return {status: {"description": description, "content": {"application/json": {"schema": {"$ref": schema}}}},
            "default": {"description": "Problem details (RFC 9457)",
                        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}


def _q(name: str, schema: dict[str, Any], description: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1,
                                                                        "maxLength": 64, "pattern": "^[A-Za-z0-9-]+$"}}


def _file(description: str) -> dict[str, Any]:
    binary = {"type": "string", "format": "binary"}
    responses = _ok("#/components/schemas/Problem")
    responses["200"] = {"description": description, "content": {
        "text/csv": {"schema": binary},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": binary}}}
    return responses


_LIMIT = _q("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "at most this many items")
_FORMAT = _q("format", {"type": "string", "enum": ["csv", "xlsx"]}, "file format (csv by default)")
_SPECS: dict[str, tuple[str, dict[str, Any]]] = {
    "listCases": ("List cases", {"parameters": [
        _q("process_id", {"type": "string", "maxLength": 100}, "only this process"),
        _q("status", {"type": "string", "enum": ["open", "closed"]}, "only this status"), _LIMIT],
        "responses": _ok("#/components/schemas/CaseList")}),
    "createIntake": ("Register a complaint", {
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Intake"}}}},
        "responses": _ok("#/components/schemas/Case", "Created", "201")}),
    "getCase": ("Read a case", {"parameters": [_path("case_id")], "responses": _ok("#/components/schemas/Case")}),
    "listTasks": ("List ready tasks", {"parameters": [
        _q("case_id", {"type": "string", "maxLength": 64}, "only this case"), _LIMIT],
        "responses": _ok("#/components/schemas/TaskList")}),
    "claimTask": ("Claim a task", {"parameters": [_path("task_id")], "responses": _ok("#/components/schemas/Task")}),
    "completeTask": ("Complete a task", {"parameters": [_path("task_id")],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Completion"}}}},
        "responses": _ok("#/components/schemas/Completed")}),
    "listDeadlines": ("List deadlines and their SLA outcome", {"parameters": [
        _q("process_id", {"type": "string", "maxLength": 100}, "only this process"),
        _q("outcome", {"type": "string", "enum": ["on_time", "late", "running"]}, "only this outcome")],
        "responses": _ok("#/components/schemas/DeadlineList")}),
    "exportCases": ("Export the case list", {"parameters": [
        _FORMAT, _q("fields", {"type": "string", "maxLength": 1000}, "comma-separated field names"),
        _q("process_id", {"type": "string", "maxLength": 100}, "only this process"),
        _q("status", {"type": "string", "enum": ["open", "closed"]}, "only this status")],
        "responses": _file("The case list")}),
    "exportReprac": ("Export the quarterly REPRAC report", {"parameters": [
        _FORMAT, _q("year", {"type": "integer", "minimum": 2000, "maximum": 2100}, "year", True),
        _q("quarter", {"type": "integer", "minimum": 1, "maximum": 4}, "quarter", True)],
        "responses": _file("The REPRAC rows")}),
}


def operation(op_id: str):
    """Mark a view as the API operation `op_id` (its spec is in `_SPECS`)."""
    if op_id not in _SPECS:
        raise KeyError(op_id)

    def decorator(view):
        view.openapi_operation = op_id
        OPERATIONS[op_id] = _SPECS[op_id][1]
        return view
    return decorator


def _obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _field_schema(fld: Any) -> dict[str, Any]:
    if fld.type == "choice":
        return {"type": "string", "enum": sorted(fld.choice_values())}
    if fld.type == "multichoice":
        schema = {"type": "array", "items": {"type": "string", "enum": sorted(fld.choice_values())},
                  "uniqueItems": True}
        if fld.max_choices:
            schema["maxItems"] = fld.max_choices
        return schema
    if fld.type == "bool":
        return {"type": "boolean"}
    if fld.type == "date":
        return {"type": "string", "format": "date"}
    if fld.type == "int":
        return {"type": "integer"}
    return {"type": "string", "maxLength": fld.max_length}


def intake_schema(engine: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The intake body, derived from the complaint start form (only the common complaint fields)."""
    info = engine.process_info("denuncia")
    form = info.form(info.start_form) if info is not None else None
    if form is None:
        return {"type": "object"}
    chosen = [f for f in form.fields if f.name in fields]
    schema = _obj({f.name: _field_schema(f) for f in chosen}, [f.name for f in chosen if f.required])
    schema["additionalProperties"] = False
    return schema


def _schemas(engine: Any, intake_fields: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    task = _obj({"id": {"type": "string"}, "case_id": {"type": "string"}, "process_id": {"type": "string"},
                 "name": {"type": "string"}, "title": {"type": "string"}, "lane": _NULL_STR, "due_at": _NULL_TS,
                 "state": {"type": "string"}, "assignee": _NULL_STR},
                ["id", "case_id", "process_id", "name", "title", "state"])
    deadline = _obj({"policy": _NULL_STR, "title": {"type": "string"}, "due_at": _NULL_TS,
                     "state": {"type": "string", "enum": ["waiting", "fired", "cancelled"]}}, ["state"])
    case = _obj({"id": {"type": "string"}, "process_id": {"type": "string"}, "process_version": {"type": "integer"},
                 "version": {"type": "integer"}, "status": {"type": "string"}, "outcome": _NULL_STR,
                 "created_at": _NULL_TS,
                 "facts": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                 "deadlines": {"type": "array", "items": deadline},
                 "tasks": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}}},
                ["id", "process_id", "status", "facts", "deadlines", "tasks"])
    summary = _obj({"id": {"type": "string"}, "process_id": {"type": "string"}, "status": {"type": "string"},
                    "outcome": _NULL_STR, "created_at": _NULL_TS}, ["id", "process_id", "status"])
    outcome = _obj({"case_id": {"type": "string"}, "tenant": {"type": "string"}, "process_id": {"type": "string"},
                    "policy": {"type": "string"}, "due_at": {"type": "string", "format": "date-time"},
                    "state": {"type": "string"}, "outcome": {"type": "string", "enum": ["on_time", "late", "running"]},
                    "days_late": {"type": "integer", "minimum": 0}},
                   ["case_id", "policy", "due_at", "outcome", "days_late"])
    problem = _obj({"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "errors": {"type": "object", "additionalProperties": {"type": "string"}}},
                   ["type", "title", "status"])
    completion = _obj({"data": {"type": "object", "description": "the task form's fields"},
                       "expected_version": {"type": "integer", "minimum": 1}})
    return {
        "Problem": problem, "Task": task, "Case": case, "Intake": intake_schema(engine, intake_fields),
        "Completion": completion, "Completed": _obj({"case": {"$ref": "#/components/schemas/Case"}}, ["case"]),
        "CaseList": _obj({"items": {"type": "array", "items": summary}}, ["items"]),
        "TaskList": _obj({"items": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}}}, ["items"]),
        "DeadlineList": _obj({"items": {"type": "array", "items": outcome}}, ["items"]),
    }


def _openapi_path(rule: str, prefix: str) -> str:
    return rule[len(prefix):].replace("<", "{").replace(">", "}")


def build_spec(app: Any, spec_url: str) -> dict[str, Any]:
    """The OpenAPI 3.0 document: paths from the url_map, operations from `@operation`."""
    from web.api import INTAKE_FIELDS

    prefix = spec_url.rsplit("/", 1)[0]
    spec = APISpec(title="probidad API", version="1.0.0", openapi_version="3.0.3",
                   info={"description": "Cases, tasks, deadlines and exports of an integrity office. "
                                        "Errors are RFC 9457 problem details."},
                   servers=[{"url": prefix}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in _schemas(app.extensions["probidad_engine"], INTAKE_FIELDS).items():
        spec.components.schema(name, schema)
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        op_id = getattr(app.view_functions.get(rule.endpoint), "openapi_operation", None)
        if op_id is None:
            continue
        method = next(m for m in rule.methods if m not in ("HEAD", "OPTIONS")).lower()
        summary, body = _SPECS[op_id]
        paths.setdefault(_openapi_path(rule.rule, prefix), {})[method] = {
            "operationId": op_id, "summary": summary, "security": [{"bearer": []}], **body}
    for path in sorted(paths):
        spec.path(path=path, operations=paths[path])
    return spec.to_dict()
