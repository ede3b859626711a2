"""Typed forms from every schema flavour, validated by the schema's own library."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Literal

import pytest
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from hitl_nb import InvalidForm
from hitl_nb.ui.widgets import ArgsEditor, SchemaForm


class Tone(enum.Enum):
    formal = "formal"
    casual = "casual"


class Address(BaseModel):
    city: str
    zip_code: str = "00000"


class Reply(BaseModel):
    subject: str = Field(description="One line, shown in the inbox")
    body: str = Field(description="The email text")
    copies: int = Field(1, ge=1, le=5)
    urgent: bool = False
    tone: Tone = Tone.formal
    lang: Literal["en", "de"] = "en"
    send_on: dt.date | None = None
    tags: list[str] = []
    score: float | None = None
    address: Address | None = None


class ReplyDict(TypedDict):
    subject: str
    copies: int


@dataclass
class ReplyData:
    subject: str
    copies: int = 2


JSON_SCHEMA = {
    "type": "object",
    "properties": {
        "subject": {"type": "string", "description": "One line"},
        "copies": {"type": "integer", "minimum": 1, "maximum": 5, "default": 1},
        "tone": {"enum": ["formal", "casual"]},
        "notes": {"type": "string", "format": "textarea"},
        "when": {"type": "string", "format": "date"},
        "to": {"type": "array", "items": {"type": "string"}},
        "extra": {"type": "object", "properties": {"x": {"type": "number"}}},
    },
    "required": ["subject", "copies"],
}


def kinds(form: SchemaForm) -> dict[str, str]:
    return {name: type(f.widget).__name__ for name, f in form.fields.items()}


class TestWidgetsPerType:
    def test_pydantic_model_fields_get_matching_widgets(self):
        form = SchemaForm(Reply)
        assert kinds(form) == {
            "subject": "Text", "body": "Textarea", "copies": "BoundedIntText",
            "urgent": "Checkbox", "tone": "Dropdown", "lang": "Dropdown",
            "send_on": "DatePicker", "tags": "Textarea", "score": "Text",
            "address": "SchemaForm",  # optional nested model, one level deep
        }

    def test_untouched_optional_nested_object_stays_null(self):
        form = SchemaForm(Reply)
        assert form.value["address"] is None
        form.fields["address"].child.fields["city"].widget.value = "Oslo"
        assert form.value["address"] == {"city": "Oslo", "zip_code": "00000"}

    def test_bounds_defaults_and_options_come_from_the_schema(self):
        form = SchemaForm(Reply)
        copies = form.fields["copies"].widget
        assert (copies.min, copies.max, copies.value) == (1, 5, 1)
        assert form.fields["tone"].widget.options == (("formal", "formal"),
                                                      ("casual", "casual"))
        assert form.fields["tone"].widget.value == "formal"
        assert form.fields["lang"].widget.value == "en"

    def test_descriptions_are_help_text(self):
        form = SchemaForm(Reply)
        assert "One line, shown in the inbox" in form.fields["subject"].label.value

    def test_json_schema_dict_kinds(self):
        form = SchemaForm(JSON_SCHEMA)
        assert kinds(form) == {"subject": "Text", "copies": "BoundedIntText",
                               "tone": "Dropdown", "notes": "Textarea", "when": "DatePicker",
                               "to": "Textarea", "extra": "SchemaForm"}

    def test_nested_object_is_one_level_deep(self):
        form = SchemaForm({"type": "object", "properties": {"a": {
            "type": "object", "properties": {"b": {
                "type": "object", "properties": {"c": {"type": "string"}}}}}}})
        inner = form.fields["a"].child
        assert inner is not None
        assert type(inner.fields["b"].widget).__name__ == "Textarea"  # JSON below level one


class TestValidation:
    def test_pydantic_valid_value_is_json_ready(self):
        form = SchemaForm(Reply)
        form.fields["subject"].widget.value = "Q3"
        form.fields["body"].widget.value = "Hello"
        form.fields["send_on"].widget.value = dt.date(2026, 3, 1)
        form.fields["tags"].widget.value = "finance\nq3\n"
        assert form.validate() == {
            "subject": "Q3", "body": "Hello", "copies": 1, "urgent": False, "tone": "formal",
            "lang": "en", "send_on": "2026-03-01", "tags": ["finance", "q3"], "score": None,
            "address": None}

    def test_pydantic_errors_show_next_to_their_fields(self):
        form = SchemaForm(Reply)
        form.fields["body"].widget.value = "Hello"
        with pytest.raises(InvalidForm) as info:
            form.validate()
        assert set(info.value.fields) == {"subject"}
        assert "Field required" in form.fields["subject"].error.value
        assert form.fields["body"].error.value == ""

    def test_unreadable_number_is_a_field_error(self):
        form = SchemaForm(Reply)
        form.fields["score"].widget.value = "lots"
        with pytest.raises(InvalidForm) as info:
            form.validate()
        assert "is not a number" in info.value.fields["score"]
        assert "is not a number" in form.fields["score"].error.value

    def test_errors_clear_once_fixed(self):
        form = SchemaForm(Reply)
        with pytest.raises(InvalidForm):
            form.validate()
        form.fields["subject"].widget.value = "s"
        form.fields["body"].widget.value = "b"
        form.validate()
        assert all(f.error.value == "" for f in form.fields.values())

    def test_json_schema_validated_by_jsonschema(self):
        form = SchemaForm(JSON_SCHEMA)
        with pytest.raises(InvalidForm) as info:
            form.validate({"copies": 9})
        assert info.value.fields == {"subject": "a value is required",
                                     "copies": "9 is greater than the maximum of 5"}
        assert "greater than the maximum" in form.fields["copies"].error.value

    def test_json_schema_valid(self):
        form = SchemaForm(JSON_SCHEMA)
        form.fields["subject"].widget.value = "hi"
        form.fields["to"].widget.value = "a@x\nb@x"
        form.fields["extra"].child.fields["x"].widget.value = "1.5"
        assert form.validate() == {"subject": "hi", "copies": 1, "to": ["a@x", "b@x"],
                                   "extra": {"x": 1.5}}

    def test_typeddict(self):
        form = SchemaForm(ReplyDict)
        form.fields["subject"].widget.value = "s"
        form.fields["copies"].widget.value = 3
        assert form.validate() == {"subject": "s", "copies": 3}
        with pytest.raises(InvalidForm):
            form.validate({"subject": "s", "copies": "many"})

    def test_dataclass(self):
        form = SchemaForm(ReplyData)
        assert form.fields["copies"].widget.value == 2
        form.fields["subject"].widget.value = "s"
        assert form.validate() == {"subject": "s", "copies": 2}

    def test_scalar_schema_is_one_value_field(self):
        form = SchemaForm({"type": "string", "enum": ["yes", "no"]})
        assert list(form.fields) == ["value"]
        form.fields["value"].widget.value = "no"
        assert form.validate() == "no"
        with pytest.raises(InvalidForm):
            form.validate("maybe")

    def test_broken_json_schema_is_refused_clearly(self):
        import jsonschema

        with pytest.raises(jsonschema.exceptions.SchemaError):
            SchemaForm({"type": "object", "properties": {"a": {"type": "nonsense"}}})


class TestArgsEditor:
    def test_inferred_form_from_values(self):
        editor = ArgsEditor({"to": "a@x", "n": 3, "ratio": 0.5, "ok": True,
                             "body": "line1\nline2", "cc": ["b@x"], "meta": {"k": 1}})
        assert kinds(editor.form) == {"to": "Text", "n": "IntText", "ratio": "FloatText",
                                      "ok": "Checkbox", "body": "Textarea", "cc": "Textarea",
                                      "meta": "Textarea"}
        assert editor.value == {"to": "a@x", "n": 3, "ratio": 0.5, "ok": True,
                                "body": "line1\nline2", "cc": ["b@x"], "meta": {"k": 1}}

    def test_live_diff_updates_as_the_reviewer_types(self):
        editor = ArgsEditor({"to": "cfo@example.com", "subject": "Q3"})
        assert "no difference" in editor.diff.value
        editor.form.fields["to"].widget.value = "ceo@example.com"
        assert "ceo@example.com" in editor.diff.value
        assert "<tr class='hitl-changed'>" in editor.diff.value
        editor.form.fields["subject"].widget.value = "Q3 final"
        assert "(+2 −2)" in editor.diff.value

    def test_json_mode_carries_the_edit_and_diffs_live(self):
        editor = ArgsEditor({"to": "a@x"})
        editor.form.fields["to"].widget.value = "b@x"
        editor.mode.value = "JSON"
        assert '"to": "b@x"' in editor.json.value
        editor.json.value = '{"to": "b@x", "cc": "c@x"}'
        assert "<tr class='hitl-added'>" in editor.diff.value
        editor.json.value = '{"to": '
        assert "not valid JSON" in editor.diff.value
        with pytest.raises(InvalidForm):
            editor.value  # noqa: B018

    def test_args_schema_drives_the_form_and_validation(self):
        schema = {"type": "object", "properties": {
            "to": {"type": "string", "minLength": 3},
            "priority": {"enum": ["low", "high"]}}, "required": ["to", "priority"]}
        editor = ArgsEditor({"to": "a@x", "priority": "low"}, schema)
        assert kinds(editor.form) == {"to": "Text", "priority": "Dropdown"}
        editor.form.fields["to"].widget.value = ""
        with pytest.raises(InvalidForm) as info:
            editor.validate()
        assert "to" in info.value.fields

    def test_non_dict_args_edit_as_json_only(self):
        editor = ArgsEditor(["a", "b"])
        assert editor.form is None
        assert editor.mode.options == ("JSON",)
        editor.json.value = '["a"]'
        assert editor.value == ["a"]

    def test_setting_value_as_json_text_switches_to_json(self):
        editor = ArgsEditor({"amount": 10})
        editor.value = '{"amount": 7}'
        assert editor.mode.value == "JSON"
        assert editor.value == {"amount": 7}
        assert "(+1 −1)" in editor.diff.value

    def test_untouched_empty_and_null_values_survive_the_form(self):
        editor = ArgsEditor({"to": "a@x", "cc": "", "reply_to": None, "tags": []})
        assert editor.value == {"to": "a@x", "cc": "", "reply_to": None, "tags": []}
        assert "no difference" in editor.diff.value

    def test_json_edits_carry_back_to_the_form(self):
        editor = ArgsEditor({"to": "a@x", "n": 1, "ok": False, "cc": ["b@x"]})
        editor.mode.value = "JSON"
        editor.json.value = '{"to": "z@x", "n": 5, "ok": true, "cc": ["c@x", "d@x"]}'
        editor.mode.value = "Form"
        assert editor.value == {"to": "z@x", "n": 5, "ok": True, "cc": ["c@x", "d@x"]}
