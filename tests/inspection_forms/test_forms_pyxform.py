"""XLSForm interoperability, checked with pyxform (the converter ODK Central and Kobo use):
our definition -> XLSForm -> pyxform XForm without errors, and XLSForm -> our definition, for the shipped
forms and for forms written by hand in the style of ODK's own examples."""

from __future__ import annotations

import re

import openpyxl
import pytest
from pyxform.xls2xform import convert

from inspection_forms import builtin_definitions
from inspection_forms.definition import Question
from inspection_forms.xlsform import NAMESPACE, export_xlsform, import_xlsform

NAMESPACES = f'farmpatrol="{NAMESPACE}"'


def to_xform(path) -> str:
    """pyxform's XForm; it raises PyXFormError on an error. Its only advice may be max-pixels: our evidence
    checks want the camera's original, not a phone-side resize."""
    result = convert(xlsform=str(path), validate=False)
    assert all("max-pixels" in warning for warning in result.warnings), result.warnings
    return result.xform


def questions_of(definition) -> dict[str, Question]:
    return {node.name: node for node, _ in definition.walk() if isinstance(node, Question)}


def binds_of(xform: str) -> dict[str, str]:
    """The XForm's bind elements by question name (the last step of the nodeset)."""
    return {match.group(1).rsplit("/", 1)[-1]: match.group(0)
            for match in re.finditer(r'<bind nodeset="([^"]+)"[^>]*/>', xform)}


@pytest.mark.parametrize("definition", builtin_definitions(), ids=lambda d: f"{d.form_id}-v{d.version}")
def test_shipped_forms_convert_with_pyxform_and_come_back_equal(definition, tmp_path):
    path = tmp_path / f"{definition.form_id}.xlsx"
    export_xlsform(definition, path)
    xform = to_xform(path)
    assert f'xmlns:farmpatrol="{NAMESPACE}"' in xform
    binds = binds_of(xform)
    for name, question in questions_of(definition).items():
        assert name in binds, name
        if question.type == "photo":
            assert f'farmpatrol:role="{question.role}"' in binds[name]
            assert f'farmpatrol:min_count="{question.min_count}"' in binds[name]
        if question.type == "area_mu":
            assert 'farmpatrol:unit="mu"' in binds[name]
    assert import_xlsform(path) == definition


def workbook(path, survey, choices=None, settings=None):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    if choices:
        book.create_sheet("choices")
        for row in choices:
            book["choices"].append(row)
    book.create_sheet("settings")
    for row in settings:
        book["settings"].append(row)
    book.save(path)
    return path


# In the manner of ODK's example forms (xlsform.org, ODK Docs' form samples): two languages, groups, a
# repeat, relevance and constraints with messages; our photo roles and 亩 in bind::farmpatrol:* columns.
HAND_WRITTEN = {
    "household": dict(
        survey=[
            ["type", "name", "label::English (en)", "label::Chinese (zh)", "hint::English (en)", "hint::Chinese (zh)",
             "required", "relevant", "constraint", "constraint_message::English (en)",
             "constraint_message::Chinese (zh)", "bind::farmpatrol:role"],
            ["select_one yes_no", "farmed", "Is the parcel farmed?", "是否耕种", None, None, "yes"],
            ["select_one crop", "crop", "Main crop", "主要作物", None, None, "yes", "${farmed} = 'yes'"],
            ["integer", "workers", "Workers seen", "现场人数", "Count people", "清点人数", None, None,
             ". >= 0 and . <= 50", "0 to 50 people", "0 到 50 人"],
            ["date", "visit_date", "Visit date", "巡查日期", None, None, "yes"],
            ["geopoint", "location", "Location", "位置"],
            ["image", "overview", "Overview photo", "远景照片", None, None, "yes", None, None, None, None, "distant"],
        ],
        choices=[["list_name", "name", "label::English (en)", "label::Chinese (zh)"],
                 ["yes_no", "yes", "Yes", "是"], ["yes_no", "no", "No", "否"],
                 ["crop", "rice", "Rice", "水稻"], ["crop", "wheat", "Wheat", "小麦"], ["crop", "tea", "Tea", "茶"]],
        settings=[["form_title", "form_id", "version", "namespaces"], ["农户走访", "household_visit", 2026061, NAMESPACES]],
    ),
    "problems-repeat": dict(
        survey=[
            ["type", "name", "label::Chinese (zh)", "required", "relevant", "constraint", "bind::farmpatrol:unit",
             "bind::farmpatrol:role", "bind::farmpatrol:min_count", "bind::farmpatrol:max_count"],
            ["select_one yes_no", "has_problem", "是否发现问题", "yes"],
            ["begin_repeat", "problem", "问题", "yes", "${has_problem} = 'yes'"],
            ["select_multiple kind", "kinds", "问题类型", "yes"],
            ["decimal", "area", "面积(亩)", "yes", None, ". > 0", "mu"],
            ["text", "permit", "批准文号", None, "selected(${kinds}, 'building')", "regex(., '^[A-Z]{2}[0-9]+$')"],
            ["end_repeat"],
            ["begin_group", "evidence", "照片"],
            ["image", "far", "远景", None, None, None, None, "distant", 1, 2],
            ["image", "near", "近景", None, None, None, None, "close", 1],
            ["end_group"],
        ],
        choices=[["list_name", "name", "label::Chinese (zh)"], ["yes_no", "yes", "是"], ["yes_no", "no", "否"],
                 ["kind", "building", "建房"], ["kind", "pond", "挖塘"], ["kind", "hardening", "硬化"]],
        settings=[["form_id", "version", "form_title", "namespaces"], ["problem_log", 1, "问题登记", NAMESPACES]],
    ),
    "plain-labels": dict(
        survey=[["type", "name", "label", "required", "constraint"],
                ["text", "custodian", "管护人", "yes", "regex(., '^.{1,20}$')"],
                ["integer", "plots", "地块数", None, ". >= 1"]],
        settings=[["form_id", "version", "form_title"], ["custodian_check", 1, "管护人核对"]],
    ),
}


@pytest.mark.parametrize("name", sorted(HAND_WRITTEN))
def test_hand_written_xlsforms_convert_both_ways(name, tmp_path):
    source = workbook(tmp_path / f"{name}.xlsx", **HAND_WRITTEN[name])
    source_xform = to_xform(source)
    definition = import_xlsform(source)
    assert set(questions_of(definition)) <= set(binds_of(source_xform))

    exported = tmp_path / f"{name}.exported.xlsx"
    export_xlsform(definition, exported)
    exported_xform = to_xform(exported)
    assert set(binds_of(exported_xform)) == set(binds_of(source_xform))
    assert import_xlsform(exported) == definition


def test_roles_and_counts_come_from_the_bind_columns(tmp_path):
    definition = import_xlsform(workbook(tmp_path / "p.xlsx", **HAND_WRITTEN["problems-repeat"]))
    questions = questions_of(definition)
    assert (questions["far"].role, questions["far"].min_count, questions["far"].max_count) == ("distant", 1, 2)
    assert (questions["near"].role, questions["near"].max_count) == ("close", None)
    assert questions["area"].type == "area_mu"
