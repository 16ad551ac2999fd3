"""The smart folder editor: a name, all or any, and rules over what the library knows of each asset."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QDate, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AtelierError
from app.gui import icons
from app.library.find import Rule, parse_rule
from app.library.find_fields import LABELS

IS, IS_NOT, CONTAINS = "=", "!=", "~"
_TEXT_OPS = ((CONTAINS, "contains"), (IS, "is"), (IS_NOT, "is not"))
_CHOICE_OPS = ((IS, "is"), (IS_NOT, "is not"))
_NUMBER_OPS = ((">=", "at least"), ("<=", "at most"), (IS, "is"), (">", "more than"), ("<", "less than"))
_DATE_OPS = ((">", "after"), ("<", "before"), (IS, "on"), (">=", "on or after"), ("<=", "on or before"))


@dataclass(frozen=True)
class FieldSpec:
    field: str
    label: str
    kind: str  # choice, text, number, date, colour, names (an editable list)
    ops: tuple[tuple[str, str], ...]
    choices: tuple[tuple[str, str], ...] = ()
    unit: str = ""


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("text", "Any text", "text", ((CONTAINS, "contains"), (IS_NOT, "does not contain"))),
    FieldSpec("name", "Name", "text", _TEXT_OPS),
    FieldSpec("tag", "Tag", "text", ((IS, "is"), (CONTAINS, "contains"), (IS_NOT, "is not"))),
    FieldSpec("type", "Type", "choice", _CHOICE_OPS,
              (("image", "Image"), ("video", "Video"), ("audio", "Audio"), ("document", "Document"))),
    FieldSpec("format", "Format", "text", _CHOICE_OPS),
    FieldSpec("client", "Client", "names", _CHOICE_OPS),
    FieldSpec("campaign", "Campaign", "names", _CHOICE_OPS),
    FieldSpec("rating", "Rating", "choice", ((">=", "at least"), (IS, "is"), ("<=", "at most")),
              tuple((str(n), "★" * n + "☆" * (5 - n) if n else "No stars") for n in range(6))),
    FieldSpec("label", "Colour label", "choice", _CHOICE_OPS,
              (*((c, c.capitalize()) for c in LABELS), ("none", "No label"))),
    FieldSpec("color", "Colour", "colour", ((IS, "contains"),)),
    FieldSpec("orientation", "Orientation", "choice", ((IS, "is"),),
              (("landscape", "Landscape"), ("portrait", "Portrait"), ("square", "Square"))),
    FieldSpec("width", "Width", "number", _NUMBER_OPS, unit="px"),
    FieldSpec("height", "Height", "number", _NUMBER_OPS, unit="px"),
    FieldSpec("duration", "Duration", "number", _NUMBER_OPS, unit="s"),
    FieldSpec("pages", "Pages", "number", _NUMBER_OPS),
    FieldSpec("size", "File size", "text", ((">=", "at least"), ("<=", "at most")), unit="e.g. 5M"),
    FieldSpec("added", "Date added", "date", _DATE_OPS),
    FieldSpec("taken", "Date taken", "date", _DATE_OPS),
    FieldSpec("creator", "Creator", "text", _TEXT_OPS),
    FieldSpec("camera", "Camera", "text", _TEXT_OPS),
    FieldSpec("rights", "Usage rights", "choice", _CHOICE_OPS,
              (("expired", "Expired"), ("expiring", "Expiring within 30 days"), ("valid", "Valid"),
               ("none", "Not set"))),
    FieldSpec("licence", "Licence", "text", _TEXT_OPS),
    FieldSpec("review", "Review status", "choice", _CHOICE_OPS,
              (("approved", "Approved"), ("changes_requested", "Changes requested"),
               ("commented", "Comments, no decision"), ("unreviewed", "Not reviewed"))),
)
SPECS = {spec.field: spec for spec in FIELDS}


class ColourButton(QPushButton):
    """A swatch that opens the colour picker; its value is #rrggbb."""

    def __init__(self, hex_: str = "#d64545", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clicked.connect(self._pick)
        self.set_hex(hex_)

    def set_hex(self, hex_: str) -> None:
        colour = QColor(hex_.split("~")[0])
        self.hex = colour.name() if colour.isValid() else "#d64545"
        self.setText(self.hex)
        text = "#000000" if QColor(self.hex).lightness() > 150 else "#ffffff"
        self.setStyleSheet(f"background: {self.hex}; color: {text}; border-radius: 5px; padding: 3px 10px;")

    def _pick(self) -> None:
        colour = QColorDialog.getColor(QColor(self.hex), self, "Pick a colour")
        if colour.isValid():
            self.set_hex(colour.name())


class RuleRow(QWidget):
    """One rule: field, operator and a value widget fitted to the field."""

    def __init__(self, names: dict[str, list[str]], rule: Rule | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.names = names
        self.field_box = QComboBox()
        for spec in FIELDS:
            self.field_box.addItem(spec.label)
        self.op_box = QComboBox()
        self.value: QWidget = QLineEdit(self)
        self.remove_button = QToolButton()
        icons.set_icon(self.remove_button, "close")
        self.remove_button.setToolTip("Remove this rule")
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(6)
        self.row.addWidget(self.field_box)
        self.row.addWidget(self.op_box)
        self.row.addWidget(self.value, 1)
        self.row.addWidget(self.remove_button)
        start = rule.field if rule is not None and rule.field in SPECS else "rating"
        self.field_box.setCurrentIndex(list(SPECS).index(start))
        self._fit(rule)
        self.field_box.currentIndexChanged.connect(self._on_field_changed)

    @Slot(int)
    def _on_field_changed(self, _index: int) -> None:
        self._fit(None)

    @property
    def spec(self) -> FieldSpec:
        return FIELDS[max(0, self.field_box.currentIndex())]

    def _fit(self, rule: Rule | None) -> None:
        spec = self.spec
        self.op_box.clear()
        for _op, label in spec.ops:
            self.op_box.addItem(label)
        ops = [op for op, _ in spec.ops]
        if rule is not None and rule.op in ops:
            self.op_box.setCurrentIndex(ops.index(rule.op))
        value = rule.value if rule is not None else ""
        widget: QWidget
        if spec.kind == "choice":
            box = QComboBox(self)
            for _v, label in spec.choices:
                box.addItem(label)
            values = [v for v, _ in spec.choices]
            default = "4" if spec.field == "rating" else values[0]
            box.setCurrentIndex(values.index(value.lower()) if value.lower() in values else values.index(default))
            widget = box
        elif spec.kind == "names":
            box = QComboBox(self)
            box.setEditable(True)
            box.addItems(self.names.get(spec.field, []))
            box.setCurrentText(value or (box.itemText(0) if box.count() else ""))
            widget = box
        elif spec.kind == "number":
            spin = QSpinBox(self)
            spin.setRange(0, 1_000_000)
            spin.setValue(int(value) if value.isdigit() else 0)
            if spec.unit:
                spin.setSuffix(f" {spec.unit}")
            widget = spin
        elif spec.kind == "date":
            edit = QDateEdit(QDate.fromString(value[:10], "yyyy-MM-dd") if value else QDate.currentDate(), self)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            widget = edit
        elif spec.kind == "colour":
            widget = ColourButton(value or "#d64545", self)
        else:
            line = QLineEdit(value, self)
            line.setPlaceholderText(spec.unit or "text")
            widget = line
        self.row.replaceWidget(self.value, widget)
        # Hidden now: in a modal dialog deleteLater waits for the loop that called it, so
        # the old widget would stay drawn over the field box while the dialog is open.
        self.value.hide()
        self.value.deleteLater()
        self.value = widget

    def rule_text(self) -> str:
        spec = self.spec
        op = spec.ops[max(0, self.op_box.currentIndex())][0]
        w = self.value
        if isinstance(w, QComboBox) and spec.kind == "choice":
            value = spec.choices[max(0, w.currentIndex())][0]
        elif isinstance(w, QComboBox):
            value = w.currentText().strip()
        elif isinstance(w, QSpinBox):
            value = str(w.value())
        elif isinstance(w, QDateEdit):
            value = w.date().toString("yyyy-MM-dd")
        elif isinstance(w, ColourButton):
            value = w.hex
        else:
            value = w.text().strip() if isinstance(w, QLineEdit) else ""
        return f"{spec.field}{op}{value}"


class SmartFolderDialog(QDialog):
    """New or edit: the rules are checked by the library's own parser before the dialog closes."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        name: str = "",
        rules: tuple[Rule, ...] | list[Rule] = (),
        match: str = "all",
        names: dict[str, list[str]] | None = None,
        editing: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit Smart Folder" if editing else "New Smart Folder")
        self.setMinimumWidth(560)
        self.names = names or {}
        self.name_edit = QLineEdit(name)
        self.name_edit.setPlaceholderText("Smart folder name")
        self.match_box = QComboBox()
        self.match_box.addItems(["all", "any"])
        self.match_box.setCurrentIndex(1 if match == "any" else 0)
        head = QHBoxLayout()
        head.addWidget(QLabel("Match"))
        head.addWidget(self.match_box)
        head.addWidget(QLabel("of these rules:"))
        head.addStretch(1)
        self.rules_box = QVBoxLayout()
        self.rules_box.setSpacing(6)
        self.rows: list[RuleRow] = []
        self.add_button = QPushButton("Add Rule")
        icons.set_icon(self.add_button, "plus")
        self.add_button.clicked.connect(self._on_add)
        self.error = QLabel("")
        self.error.setObjectName("Error")
        self.error.setStyleSheet("color: #d64545;")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("Save" if editing else "Create", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.name_edit)
        layout.addLayout(head)
        layout.addLayout(self.rules_box)
        adder = QHBoxLayout()
        adder.addWidget(self.add_button)
        adder.addStretch(1)
        layout.addLayout(adder)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(buttons)
        for rule in rules or ():
            self.add_rule(rule)
        if not self.rows:
            self.add_rule()

    @Slot()
    def _on_add(self) -> None:
        self.add_rule()

    @Slot()
    def _on_remove_clicked(self) -> None:
        # Bound slots and the sender, not lambdas holding the dialog (see details_meta).
        button = self.sender()
        row = next((r for r in self.rows if r.remove_button is button), None)
        if row is not None:
            self._remove(row)

    def add_rule(self, rule: Rule | None = None) -> RuleRow:
        row = RuleRow(self.names, rule, self)
        row.remove_button.clicked.connect(self._on_remove_clicked)
        self.rows.append(row)
        self.rules_box.addWidget(row)
        return row

    def _remove(self, row: RuleRow) -> None:
        if len(self.rows) <= 1:
            return  # a smart folder keeps at least one rule
        self.rows.remove(row)
        row.deleteLater()

    def rule_texts(self) -> list[str]:
        return [row.rule_text() for row in self.rows]

    def match(self) -> str:
        return "any" if self.match_box.currentIndex() == 1 else "all"

    def name(self) -> str:
        return self.name_edit.text().strip()

    def problem(self) -> str | None:
        """What stops these rules from being saved, in the library's words (None: nothing)."""
        if not self.name():
            return "A smart folder needs a name"
        for text in self.rule_texts():
            try:
                parse_rule(text)
            except AtelierError as exc:
                return str(exc)
        return None

    def accept(self) -> None:
        problem = self.problem()
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        super().accept()


def rule_summary(rules: tuple[str, ...] | list[str], match: str) -> str:
    """Rules as a person reads them: "Rating at least ★★★★☆ and Type is Video"."""
    parts = []
    for text in rules:
        try:
            rule = parse_rule(text)
        except AtelierError:
            parts.append(text)
            continue
        spec = SPECS.get(rule.field)
        if spec is None:
            parts.append(str(rule))
            continue
        op = dict(spec.ops).get(rule.op, rule.op)
        value = dict(spec.choices).get(rule.value.lower(), rule.value)
        parts.append(f"{spec.label} {op} {value}")
    return (" and " if match == "all" else " or ").join(parts)


__all__ = ["FIELDS", "SmartFolderDialog", "rule_summary"]
