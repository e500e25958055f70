"""XLSForm exchange: field teams author forms in Excel with the ODK XLSForm conventions.

Only the subset the engine can enforce is imported; anything else is refused with the sheet and row,
because a silently dropped column (a choice_filter, a calculate) would make a form mean less on our
devices than its author wrote. Our additions ride in `bind::farmpatrol:*` columns, which pyxform (the
converter ODK and Kobo use) copies onto the XForm bind in our own namespace, declared in the settings
sheet's `namespaces` column: `bind::farmpatrol:unit` = `mu` makes a `decimal` an area in 亩, and an `image`
takes `bind::farmpatrol:role`, `bind::farmpatrol:min_count` and `bind::farmpatrol:max_count`. A survey column of our
own, `observation`, names the observation a question or repeat carries (the form's `observations`
mapping). Files written before the bind columns, with `unit=mu` / `role=... min_count=...` in `parameters`, are still read.
Labels come from `label::Chinese (zh)` / `label::zh-CN` / ... or plain `label`; other languages are
ignored. Sheets other than survey, choices and settings are ignored (teams keep notes there).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl

from .definition import FormDefinition, Group, Node, Question, Repeat
from .errors import FormDefinitionError, XLSFormError
from .loading import load_definition
from .xpath import constraint_to_xpath, parse_constraint, parse_relevant, relevant_to_xpath

ZH = "Chinese (zh)"
TRANSLATABLE = ("label", "hint", "constraint_message")
NAMESPACE = "urn:farmpatrol:xlsform"
# Our keys per type: in bind::farmpatrol:<key> columns (older files: key=value in `parameters`).
BINDS = {"decimal": {"unit"}, "image": {"role", "min_count", "max_count"}}
BIND_COLUMNS = tuple(f"bind::farmpatrol:{key}" for key in ("role", "min_count", "max_count", "unit"))
SURVEY_COLUMNS = ("type", "name", *TRANSLATABLE, "required", "relevant", "constraint", "parameters", *BIND_COLUMNS,
                  "observation")
CHOICES_COLUMNS = ("list_name", "name", "label")
SETTINGS_COLUMNS = ("form_id", "version", "form_title")
OPTIONAL_SETTINGS = ("namespaces",)
PLAIN_TYPES = {"integer", "decimal", "text", "date", "geopoint", "image"}
BEGIN = {"begin group": "group", "begin_group": "group", "begin repeat": "repeat", "begin_repeat": "repeat"}
END = {"end group": "group", "end_group": "group", "end repeat": "repeat", "end_repeat": "repeat"}

Row = tuple[int, dict[str, str]]


def import_xlsform(path: str | Path) -> FormDefinition:
    # Not read_only: forms are small, and a read_only sheet abandoned mid-read leaks its file.
    workbook = openpyxl.load_workbook(path, data_only=True)
    sheets = {sheet.title.strip().lower(): sheet for sheet in workbook.worksheets}
    survey = _read_sheet(sheets, "survey", SURVEY_COLUMNS)
    choices = _read_sheet(sheets, "choices", CHOICES_COLUMNS) if "choices" in sheets else []
    settings = _read_sheet(sheets, "settings", SETTINGS_COLUMNS + OPTIONAL_SETTINGS)
    rows_by_name: dict[str, int] = {}
    data = _settings(settings)
    data["choices"] = _choices(choices)
    data["questions"] = _survey(survey, rows_by_name)
    observations = {values["observation"]: values.get("name") for _, values in survey if "observation" in values}
    if observations:
        data["observations"] = observations
    try:
        return load_definition(data)
    except FormDefinitionError as exc:
        if exc.question in rows_by_name:
            raise XLSFormError(f"survey row {rows_by_name[exc.question]}: {exc}") from exc
        raise XLSFormError(str(exc)) from exc


def _read_sheet(sheets: dict[str, Any], title: str, columns: tuple[str, ...]) -> list[Row]:
    """Non-blank rows as (Excel row number, {column: text}); unsupported filled cells are refused."""
    if title not in sheets:
        raise XLSFormError(f"sheet '{title}' is missing")
    rows = sheets[title].iter_rows(values_only=True)
    header = [_column(title, cell) for cell in next(rows, ())]
    out = []
    for number, cells in enumerate(rows, start=2):
        values: dict[str, str] = {}
        for index, cell in enumerate(cells):
            text = _text(cell)
            column = header[index] if index < len(header) else None
            if text is None or column == "":  # "" marks another language's column
                continue
            if column is None:
                raise XLSFormError(f"{title} row {number}: column {index + 1} has a value but no header")
            if column not in columns and column.split("::")[0] not in columns:
                raise XLSFormError(f"{title} row {number}: column '{column}' is not supported")
            values.setdefault(column, text)  # the first zh column wins over a later one
        if values:
            out.append((number, values))
    return out


def _column(sheet: str, cell: Any) -> str | None:
    """`label::Chinese (zh)` and the like become `label::zh`; other languages become ''."""
    if cell is None:
        return None
    base, _, language = str(cell).partition("::")
    base = base.strip().lower()
    if not language:
        return base
    if base == "bind":  # bind::farmpatrol:role and the like; _read_sheet refuses any other bind column
        return f"bind::{language.strip()}"
    if base not in TRANSLATABLE:
        raise XLSFormError(f"{sheet} row 1: column '{cell}' cannot have a language")
    return f"{base}::zh" if _is_chinese(language) else ""


def _is_chinese(language: str) -> bool:
    language = language.strip().lower()
    code = re.search(r"\(([^)]*)\)\s*$", language)
    return (code.group(1) if code else language).strip() in ("zh", "zh-cn", "zh_cn", "zh-hans", "chinese", "中文")


def _text(cell: Any) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, bool):
        return "true" if cell else "false"
    text = str(cell).strip()
    return text or None


def _translated(values: dict[str, str], column: str) -> str | None:
    return values.get(f"{column}::zh") or values.get(column)


def _settings(rows: list[Row]) -> dict[str, Any]:
    if not rows:
        raise XLSFormError("settings row 2: form_id, version and form_title are required")
    number, values = rows[0]
    missing = [column for column in SETTINGS_COLUMNS if column not in values]
    if missing:
        raise XLSFormError(f"settings row {number}: {', '.join(missing)} missing")
    if not values["version"].isdigit():
        raise XLSFormError(f"settings row {number}: version must be a whole number, got '{values['version']}'")
    return {"form_id": values["form_id"], "version": int(values["version"]), "title": values["form_title"]}


def _choices(rows: list[Row]) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for number, values in rows:
        label = _translated(values, "label")
        if "list_name" not in values or "name" not in values or label is None:
            raise XLSFormError(f"choices row {number}: list_name, name and label are required")
        out.setdefault(values["list_name"], []).append({"code": values["name"], "label": label})
    return out


def _survey(rows: list[Row], rows_by_name: dict[str, int]) -> list[dict[str, Any]]:
    root: list[dict[str, Any]] = []
    stack: list[tuple[str, list[dict[str, Any]], int]] = [("form", root, 1)]
    for number, values in rows:
        kind = _normalise_type(values.get("type", ""))
        if not kind:
            raise XLSFormError(f"survey row {number}: type is missing")
        if kind in END:
            if stack[-1][0] != END[kind]:
                raise XLSFormError(f"survey row {number}: '{kind}' does not close an open {END[kind]}")
            stack.pop()
            continue
        try:
            node = _node(kind, values)
        except XLSFormError as exc:
            raise XLSFormError(f"survey row {number}: {exc}") from exc
        if isinstance(node["name"], str):
            rows_by_name.setdefault(node["name"], number)
        stack[-1][1].append(node)
        if kind in BEGIN:
            stack.append((BEGIN[kind], node["questions"], number))
    if len(stack) > 1:
        kind, _, number = stack[-1]
        raise XLSFormError(f"survey row {number}: begin {kind} is never closed")
    return root


def _normalise_type(text: str) -> str:
    """Type keywords are case-insensitive; a choice list name after select_one is kept as written."""
    keyword, *rest = text.split() or [""]
    keyword = keyword.lower()
    if not keyword.startswith("select_"):
        rest = [word.lower() for word in rest]
    return " ".join([keyword, *rest])


def _node(kind: str, values: dict[str, str]) -> dict[str, Any]:
    node: dict[str, Any] = {"name": values.get("name")}
    if _translated(values, "label"):
        node["label"] = _translated(values, "label")
    if kind in BEGIN:
        node["type"] = BEGIN[kind]
        node["questions"] = []
        _unsupported(values, ("constraint", "parameters", "hint", "constraint_message"), kind)
        if node["type"] == "group":
            _unsupported(values, ("required",), kind)
    else:
        node.update(_question_type(kind, values))
        if _translated(values, "hint"):
            node["hint"] = _translated(values, "hint")
        if "constraint" in values:
            node.update(_expression(parse_constraint, values, "constraint"))
        if _translated(values, "constraint_message"):
            node["constraint_message"] = _translated(values, "constraint_message")
    if "relevant" in values:
        node["relevant"] = _expression(parse_relevant, values, "relevant")
    if "required" in values and node.get("type") == "photo":
        # ODK's "required" on an image is one photo at least; bind::farmpatrol:min_count says how many.
        node.setdefault("min_count", 1 if _yes_no(values["required"]) else 0)
    elif "required" in values:
        node["required"] = _yes_no(values["required"])
    return node


def _expression(parse: Any, values: dict[str, str], column: str) -> dict[str, Any]:
    try:
        return parse(values[column])
    except XLSFormError as exc:
        raise XLSFormError(f"{column} {values[column]!r}: {exc}") from exc


def _unsupported(values: dict[str, str], columns: tuple[str, ...], kind: str) -> None:
    for column in columns:
        if _translated(values, column):
            raise XLSFormError(f"column '{column}' is not supported on '{kind}'")


def _question_type(kind: str, values: dict[str, str]) -> dict[str, Any]:
    words = kind.split()
    if words[0] in ("select_one", "select_multiple") and len(words) == 2:
        out: dict[str, Any] = {"type": words[0], "choices": words[1]}
    elif kind in PLAIN_TYPES:
        out = {"type": kind}
    else:
        raise XLSFormError(f"type '{kind}' is not supported")
    params = {**_parameters(values.get("parameters"), kind), **_binds(values, kind)}
    if kind == "decimal" and params:
        if params != {"unit": "mu"}:
            raise XLSFormError("decimal takes only the parameter unit=mu (an area in 亩)")
        out["type"] = "area_mu"
    if kind == "image":
        out["type"] = "photo"
        out["role"] = params.get("role")
        for key in ("min_count", "max_count"):
            if key in params:
                if not params[key].isdigit():
                    raise XLSFormError(f"parameter {key} must be a whole number, got '{params[key]}'")
                out[key] = int(params[key])
    return out


def _parameters(text: str | None, kind: str) -> dict[str, str]:
    """ODK style `key=value` pairs separated by spaces (commas and semicolons are tolerated)."""
    out: dict[str, str] = {}
    for pair in re.split(r"[\s,;]+", text or ""):
        if not pair:
            continue
        key, sep, value = pair.partition("=")
        if not sep or key not in BINDS.get(kind, ()):
            raise XLSFormError(f"parameter '{pair}' is not supported for type '{kind}'")
        out[key] = value
    return out


def _binds(values: dict[str, str], kind: str) -> dict[str, str]:
    out = {}
    for column in BIND_COLUMNS:
        if column in values:
            key = column.removeprefix("bind::farmpatrol:")
            if key not in BINDS.get(kind, ()):
                raise XLSFormError(f"column '{column}' is not supported for type '{kind}'")
            out[key] = values[column]
    return out


def _yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in ("yes", "true", "true()", "1"):
        return True
    if value in ("no", "false", "false()", "0"):
        return False
    raise XLSFormError(f"required must be yes or no, got '{text}' (expressions are not supported)")


def export_xlsform(definition: FormDefinition, path: str | Path) -> None:
    """Write the definition as an XLSForm that pyxform converts without errors; `import_xlsform` reads it back
    to an equal definition."""
    workbook = openpyxl.Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(
        ["type", "name", f"label::{ZH}", f"hint::{ZH}", "required", "relevant", "constraint",
         f"constraint_message::{ZH}", *BIND_COLUMNS, "observation"]
    )
    carried = {name: key for key, name in definition.observations.items()}
    for node in definition.children:
        _write_node(survey, node, carried)
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", f"label::{ZH}"])
    for list_name, items in definition.choices.items():
        for choice in items:
            choices.append([list_name, choice.code, choice.label])
    settings = workbook.create_sheet("settings")
    settings.append([*SETTINGS_COLUMNS, *OPTIONAL_SETTINGS])
    settings.append([definition.form_id, definition.version, definition.title, f'farmpatrol="{NAMESPACE}"'])
    workbook.save(path)


def _write_node(sheet: Any, node: Node, carried: dict[str, str]) -> None:
    relevant = relevant_to_xpath(node.relevant) if node.relevant is not None else None
    observation = carried.get(node.name)
    if isinstance(node, (Group, Repeat)):
        required = "yes" if isinstance(node, Repeat) and node.required else None
        sheet.append([f"begin {node.type}", node.name, node.label, None, required, relevant,
                      *[None] * (2 + len(BIND_COLUMNS)), observation])
        for child in node.children:
            _write_node(sheet, child, carried)
        sheet.append([f"end {node.type}"])
        return
    kind, binds = _xlsform_type(node)
    required = "yes" if node.required or (node.type == "photo" and node.min_count) else None
    sheet.append(
        [kind, node.name, node.label, node.hint, required, relevant, constraint_to_xpath(node),
         node.constraint_message, *(binds.get(column) for column in BIND_COLUMNS), observation]
    )


def _xlsform_type(question: Question) -> tuple[str, dict[str, Any]]:
    """The XLSForm type and our bind::farmpatrol:* values."""
    if question.choices is not None:
        return f"{question.type} {question.choices}", {}
    if question.type == "area_mu":
        return "decimal", {"bind::farmpatrol:unit": "mu"}
    if question.type == "photo":
        return "image", {"bind::farmpatrol:role": question.role, "bind::farmpatrol:min_count": question.min_count,
                         "bind::farmpatrol:max_count": question.max_count}
    return question.type, {}
