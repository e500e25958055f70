"""An inspection's answers as a reviewer reads them: question labels and choice labels of the form version the
inspector filled in, in the form's order; repeats (one item per problem) as numbered sub-lists."""

from __future__ import annotations

from dataclasses import dataclass, field

from inspection_forms.definition import FormDefinition, Group, Node, Question, Repeat


@dataclass(frozen=True)
class AnswerLine:
    label: str
    text: str = ""
    items: list[list["AnswerLine"]] = field(default_factory=list)  # a repeat's answered items


def answer_lines(definition: FormDefinition, answers: dict) -> list[AnswerLine]:
    return _lines(definition, definition.children, answers)


def _lines(definition: FormDefinition, nodes: tuple[Node, ...], answers: dict) -> list[AnswerLine]:
    lines: list[AnswerLine] = []
    for node in nodes:
        if isinstance(node, Group):
            lines += _lines(definition, node.children, answers)
        elif isinstance(node, Repeat):
            items = answers.get(node.name) or []
            if items:
                lines.append(AnswerLine(node.label, items=[_lines(definition, node.children, item) for item in items]))
        elif node.type != "photo" and answers.get(node.name) not in (None, "", []):
            lines.append(AnswerLine(node.label, _text(definition, node, answers[node.name])))
    return lines


def _text(definition: FormDefinition, question: Question, value) -> str:
    if question.choices:
        labels = {c.code: c.label for c in definition.choices[question.choices]}
        values = value if isinstance(value, list) else [value]
        return "、".join(labels.get(v, str(v)) for v in values)
    if question.type == "area_mu":
        return f"{value} 亩"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
