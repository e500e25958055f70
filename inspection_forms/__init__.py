"""Inspection forms: versioned definitions, the answer validation engine and XLSForm exchange."""

from .definition import Choice, FormDefinition, Group, PhotoRequirement, Question, Repeat
from .errors import FieldError, FormDefinitionError, FormVersionImmutableError, XLSFormError
from .loading import builtin_definitions, load_definition, load_definition_file
from .publishing import check_republish

__all__ = [
    "Choice",
    "FieldError",
    "FormDefinition",
    "FormDefinitionError",
    "FormVersionImmutableError",
    "Group",
    "PhotoRequirement",
    "Question",
    "Repeat",
    "XLSFormError",
    "builtin_definitions",
    "check_republish",
    "load_definition",
    "load_definition_file",
]
