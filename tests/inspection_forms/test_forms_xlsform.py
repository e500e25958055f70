"""XLSForm import/export: a workbook written here with openpyxl, round trips, and refusals that
name the sheet and row."""

from __future__ import annotations

import openpyxl
import pytest

from inspection_forms import XLSFormError
from inspection_forms.expressions import AllOf, AnyOf, Compare, Not
from inspection_forms.xlsform import export_xlsform, import_xlsform

SURVEY_HEADER = ["type", "name", "label::English (en)", "label::zh-CN", "hint", "required", "relevant", "constraint", "constraint_message::Chinese (zh)", "parameters"]
SURVEY = [
    # type, name, label en, label zh, hint, required, relevant, constraint, constraint message, parameters
    ["Select_One status", "status", "Status", "种植属性", None, "yes"],
    ["select_multiple crop", "crops", "Crops", "作物", None, "yes", "${status} = 'grain' or ${status} = 'nongrain'"],
    ["Begin Group", "signs", "Signs", "撂荒迹象", None, None, "selected(${status}, 'idle')"],
    ["integer", "weed_cm", "Weeds", "杂草高度(厘米)", "目测", "TRUE", None, ". >= 0 and . <= 500", "0 到 500 厘米"],
    ["end group"],
    ["select_one yes_no", "has_problem", "Problem?", "是否有问题", None, "yes"],
    ["begin repeat", "problems", "Problems", "问题", None, "yes", "${has_problem} = 'yes'"],
    ["select_one use", "use", "Use", "用途", None, "yes"],
    ["decimal", "size", "Area", "面积(亩)", None, "yes", None, ". > 0", None, "unit=mu"],
    ["text", "permit", "Permit", "批文号", None, None, "not(${use} = 'building') and ${size} >= 2.5", "regex(., '^[A-Z]{2}[0-9]+$')"],
    ["end repeat"],
    ["date", "seen_on", "Date", "日期"],
    ["geopoint", "where", "Where", "位置", None, None, "${weed_cm} != ''"],
    ["image", "overview", "Overview", "远景", None, None, None, None, None, "role=distant min_count=1 max_count=4"],
]
CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Chinese (zh)"],
    ["status", "grain", "Grain", "种植粮食作物"],
    ["status", "nongrain", "Non-grain", "种植非粮作物"],
    ["status", "idle", "Idle", "未耕种"],
    ["crop", "rice", "Rice", "水稻"],
    ["crop", "tea", "Tea", "茶"],
    ["yes_no", "yes", "Yes", "是"],
    ["yes_no", "no", "No", "否"],
    ["use", "building", "Building", "建房"],
    ["use", "hardening", "Hardening", "硬化"],
]
SETTINGS = [["form_id", "version", "form_title"], ["village_check", 3, "村级巡查表"]]


@pytest.fixture
def workbook(tmp_path):
    """Write a workbook from rows; the default rows make a valid form."""

    def write(survey=SURVEY, choices=CHOICES, settings=SETTINGS, survey_header=SURVEY_HEADER, notes=True):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "survey"
        for row in [survey_header, *survey]:
            sheet.append(row)
        if choices is not None:
            book.create_sheet("choices")
            for row in choices:
                book["choices"].append(row)
        if settings is not None:
            book.create_sheet("settings")
            for row in settings:
                book["settings"].append(row)
        if notes:
            book.create_sheet("说明").append(["填写说明", "随便写"])
        path = tmp_path / "form.xlsx"
        book.save(path)
        return path

    return write


def test_import(workbook, photos, codes):
    definition = import_xlsform(workbook())
    assert (definition.form_id, definition.version, definition.title) == ("village_check", 3, "村级巡查表")
    assert definition.node("status").label == "种植属性"
    assert definition.node("crops").relevant == AnyOf((Compare("status", "eq", "grain"), Compare("status", "eq", "nongrain")))
    weed = definition.node("weed_cm")
    assert (weed.required, weed.min, weed.max, weed.hint, weed.constraint_message) == (True, 0, 500, "目测", "0 到 500 厘米")
    assert definition.node("signs").relevant == Compare("status", "in", ("idle",))
    size = definition.node("size")
    assert (size.type, size.min, size.min_inclusive) == ("area_mu", 0, False)
    assert definition.node("permit").relevant == AllOf((Not(Compare("use", "eq", "building")), Compare("size", "gte", 2.5)))
    assert definition.node("permit").pattern == "^[A-Z]{2}[0-9]+$"
    assert definition.node("where").relevant == Compare("weed_cm", "answered", True)
    overview = definition.node("overview")
    assert (overview.type, overview.role, overview.min_count, overview.max_count) == ("photo", "distant", 1, 4)
    assert definition.node("problems").required is True

    answers = {"status": "idle", "weed_cm": 40, "where": {"lat": 30.1, "lon": 120.3}, "has_problem": "yes",
               "problems": [{"use": "hardening", "size": 3, "permit": "zj001"}]}
    assert codes(definition.validate(answers, photos("distant"))) == {("problems[0].permit", "pattern_mismatch")}


def test_round_trip_of_an_imported_form(workbook, tmp_path):
    definition = import_xlsform(workbook())
    export_xlsform(definition, tmp_path / "again.xlsx")
    assert import_xlsform(tmp_path / "again.xlsx") == definition


@pytest.mark.parametrize("name", ["patrol", "all_types_form"])
def test_round_trip(request, tmp_path, name):
    definition = request.getfixturevalue(name)
    export_xlsform(definition, tmp_path / "out.xlsx")
    again = import_xlsform(tmp_path / "out.xlsx")
    assert again == definition
    assert again.content_hash() == definition.content_hash()


def test_round_trip_keeps_expression_structure(form, tmp_path):
    definition = form(
        [
            {"name": "c", "type": "select_multiple", "label": "颜色", "choices": "colour"},
            {"name": "n", "type": "decimal", "label": "数", "min": -1.5, "max": 0.000001},
            {
                "name": "t",
                "type": "text",
                "label": "说明",
                "pattern": "it's",
                "relevant": {
                    "all": [
                        {"field": "c", "in": ["red", "blue"]},
                        {"any": [{"field": "n", "lt": -0.5}, {"not": {"field": "n", "answered": True}}]},
                        {"all": [{"field": "n", "eq": 3.0}, {"field": "c", "answered": False}]},
                    ]
                },
            },
        ]
    )
    export_xlsform(definition, tmp_path / "out.xlsx")
    assert import_xlsform(tmp_path / "out.xlsx") == definition


def replace_row(index, row):
    survey = [list(r) for r in SURVEY]
    survey[index] = row
    return survey


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"survey": replace_row(5, ["calculate", "total", "Total", "合计"])}, "survey row 7: type 'calculate' is not supported", id="calculate"),
        pytest.param({"survey": replace_row(11, ["select_one_from_file x.csv", "f", "F", "文件"])}, "survey row 13: type 'select_one_from_file x.csv' is not supported", id="from-file"),
        pytest.param(
            {"survey": replace_row(1, ["select_multiple crop", "crops", "Crops", "作物", None, "yes", "${status} = ${other}"])},
            "survey row 3: relevant",
            id="compare-two-fields",
        ),
        pytest.param(
            {"survey": replace_row(3, ["integer", "weed_cm", "W", "杂草", None, None, None, ". != 3"])},
            "survey row 5: constraint",
            id="constraint-not-equal",
        ),
        pytest.param(
            {"survey": replace_row(3, ["integer", "weed_cm", "W", "杂草", None, "${status} = 'idle'"])},
            "survey row 5: required must be yes or no",
            id="required-expression",
        ),
        pytest.param(
            {"survey": replace_row(1, ["select_multiple crop", "crops", "Crops", "作物", None, "yes", "${weed_cm} > 3"])},
            "survey row 3: question 'crops': relevance refers to 'weed_cm', which is not an earlier question",
            id="relevance-on-later-question",
        ),
        pytest.param({"survey": replace_row(4, ["text", "x", "X", "某"])}, "survey row 4: begin group is never closed", id="unclosed-group"),
        pytest.param({"survey": replace_row(10, ["end group"])}, "survey row 12: 'end group' does not close an open group", id="mismatched-end"),
        pytest.param(
            {"survey": replace_row(8, ["decimal", "size", "A", "面积", None, "yes", None, None, None, "unit=m2"])},
            "survey row 10: decimal takes only the parameter unit=mu",
            id="area-unit",
        ),
        pytest.param(
            {"survey": replace_row(13, ["image", "overview", "O", "远景", None, None, None, None, None, "max-pixels=1024"])},
            "survey row 15: parameter 'max-pixels=1024' is not supported",
            id="image-parameter",
        ),
        pytest.param(
            {"survey": replace_row(12, ["geopoint", "where", "W", "位置", None, None, None, None, None, None, "minimal"]),
             "survey_header": [*SURVEY_HEADER, "appearance"]},
            "survey row 14: column 'appearance' is not supported",
            id="appearance-column",
        ),
        pytest.param({"survey": replace_row(0, ["select_one status", "status", "Status"])}, "survey row 2: question 'status': missing keys ['label']", id="no-chinese-label"),
        pytest.param({"survey": replace_row(0, ["select_one colours", "status", "S", "状态"])}, "survey row 2: question 'status': choice list 'colours' is missing", id="missing-list"),
        pytest.param({"choices": [*CHOICES, ["use", "other"]]}, "choices row 11: list_name, name and label are required", id="choice-without-label"),
        pytest.param({"settings": [["form_id", "version", "form_title"], ["village_check", "2024a", "表"]]}, "settings row 2: version must be a whole number", id="version"),
        pytest.param({"settings": None}, "sheet 'settings' is missing", id="no-settings"),
        pytest.param({"settings": [["form_id", "version", "form_title", "style"], ["village_check", 3, "表", "pages"]]}, "settings row 2: column 'style' is not supported", id="settings-style"),
    ],
)
def test_refusals_name_the_row(workbook, kwargs, message):
    with pytest.raises(XLSFormError) as caught:
        import_xlsform(workbook(**kwargs))
    assert message in str(caught.value)


def test_unsupported_relevant_names_the_function(workbook):
    survey = replace_row(1, ["select_multiple crop", "crops", "Crops", "作物", None, "yes", "count-selected(${status}) > 1"])
    with pytest.raises(XLSFormError, match=r"survey row 3: relevant .*'count-selected' is not supported"):
        import_xlsform(workbook(survey=survey))
