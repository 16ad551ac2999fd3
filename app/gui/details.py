"""The details pane: preview, metadata, and the editable name, tags, client, campaign and purpose."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.gui import formatting
from app.gui.details_meta import MetadataSection
from app.gui.preview import AssetPreview
from app.gui.reviews import ReviewSection
from app.gui.tasks import Tasks
from app.library.records import AssetChanges, AssetRecord, CampaignRecord, ClientRecord
from app.library.service import LibraryService

NONE_LABEL = "None"


def _section(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setObjectName("SectionTitle")
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 0.8)
    font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
    label.setFont(font)
    return label


def _position(values: list[str | None], value: str | None) -> int:
    return values.index(value) if value in values else 0


class DetailsPane(QWidget):
    changes_requested = Signal(str, object)  # asset id, AssetChanges

    def __init__(self, library: LibraryService, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Details")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.record: AssetRecord | None = None
        self._clients: list[ClientRecord] = []
        self._campaigns: list[CampaignRecord] = []
        self._shown_client_id: str | None = None
        self._library = library
        self._build(library, tasks)
        self._connect()
        self.show_record(None)

    def _build(self, library: LibraryService, tasks: Tasks) -> None:
        self.preview = AssetPreview(library, tasks)
        self.preview.setMinimumHeight(200)
        self.preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.title = QLabel("")
        self.title.setWordWrap(True)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption = QLabel("")
        self.caption.setObjectName("Muted")

        self.info = QFormLayout()
        self.info.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.info.setHorizontalSpacing(16)
        self.info.setVerticalSpacing(6)
        self.info_values: dict[str, QLabel] = {}
        for key in ("Type", "Format", "Dimensions", "Duration", "Pages", "Size", "Added", "Modified"):
            value = QLabel("")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label = QLabel(key)
            label.setObjectName("Muted")
            self.info.addRow(label, value)
            self.info_values[key] = value

        self.name_edit = QLineEdit()
        self.tags_edit = QLineEdit()
        self.tags_edit.setPlaceholderText("comma, separated, tags")
        self.client_box = QComboBox()
        self.campaign_box = QComboBox()
        self.purpose_box = QComboBox()
        # Each picker's values live in a Python list beside it, not in item data: "None" would
        # come back through an invalid QVariant (PySide6 6.12.0 mishandles those; see pyproject.toml).
        self._purposes: list[str | None] = list(formatting.PURPOSE_LABELS)
        self._client_ids: list[str | None] = [None]
        self._campaign_ids: list[str | None] = [None]
        self.purpose_box.addItems(list(formatting.PURPOSE_LABELS.values()))
        edit = QFormLayout()
        edit.setHorizontalSpacing(16)
        edit.setVerticalSpacing(8)
        for text, widget in (
            ("Name", self.name_edit),
            ("Tags", self.tags_edit),
            ("Client", self.client_box),
            ("Campaign", self.campaign_box),
            ("Purpose", self.purpose_box),
        ):
            label = QLabel(text)
            label.setObjectName("Muted")
            edit.addRow(label, widget)

        self.form = QWidget()
        form_layout = QVBoxLayout(self.form)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.setSpacing(10)
        form_layout.addWidget(self.title)
        form_layout.addWidget(self.caption)
        form_layout.addSpacing(6)
        form_layout.addWidget(_section("Organize"))
        form_layout.addLayout(edit)
        self.metadata = MetadataSection()
        # The file's own keywords, offered as tags right under the tags field.
        self._edit = edit
        edit.insertRow(2, "", self.metadata.suggestions)
        edit.setRowVisible(2, False)
        form_layout.addSpacing(6)
        # Clients' decisions and comments from share links; hidden when there are none.
        self.reviews = ReviewSection(library)
        self.reviews_title = _section("Client review")
        form_layout.addWidget(self.reviews_title)
        form_layout.addWidget(self.reviews)
        form_layout.addSpacing(6)
        form_layout.addWidget(_section("Information"))
        form_layout.addLayout(self.info)
        form_layout.addSpacing(6)
        self.metadata_title = _section("Metadata")
        form_layout.addWidget(self.metadata_title)
        form_layout.addWidget(self.metadata)
        form_layout.addStretch(1)

        # The whole pane scrolls as one, preview included, with its scroll bar at the pane's
        # edge: a short window used to squeeze the fields into a small box of their own under
        # a fixed preview, its bar against the fields. When everything fits, nothing scrolls
        # and the preview takes its share of the extra height.
        content = QWidget()
        content.setObjectName("DetailsContent")
        content.setAutoFillBackground(False)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(14, 14, 14, 10)
        layout.setSpacing(12)
        layout.addWidget(self.preview, 4)
        layout.addWidget(self.form, 7)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(content)
        self.scroll.viewport().setAutoFillBackground(False)
        self.form.setAutoFillBackground(False)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)

    def _connect(self) -> None:
        self.name_edit.editingFinished.connect(self._on_name_edited)
        self.tags_edit.editingFinished.connect(self._on_tags_edited)
        self.client_box.activated.connect(self._on_client_picked)
        self.campaign_box.activated.connect(self._on_campaign_picked)
        self.purpose_box.activated.connect(self._on_purpose_picked)

    # --- showing -----------------------------------------------------------------------

    def set_clients(self, clients: list[ClientRecord], campaigns: list[CampaignRecord]) -> None:
        self._clients, self._campaigns = clients, campaigns
        if self.record is not None:
            self._fill_pickers(self.record)

    def show_many(self, count: int, total_size: int) -> None:
        self.record = None
        self.form.setVisible(False)
        self.preview.show_message(f"{count} assets selected\n{formatting.human_size(total_size)}")

    def show_record(self, record: AssetRecord | None) -> None:
        if record is None:
            self.record = None
            self.form.setVisible(False)
            self.preview.show_message("Select an asset to see it here")
            return
        same = self.record is not None and self.record.id == record.id
        self.record = record
        self.form.setVisible(True)
        self.preview.show_asset(record)
        self.title.setText(record.name)
        self.caption.setText(formatting.tile_caption(record))
        if not (same and self.name_edit.hasFocus()):
            self.name_edit.setText(record.name)
            self.name_edit.setCursorPosition(0)  # a long name shows its start, not its extension
        if not (same and self.tags_edit.hasFocus()):
            self.tags_edit.setText(", ".join(record.tags or []))
        self.purpose_box.setCurrentIndex(_position(self._purposes, record.purpose))
        self._fill_pickers(record)
        self._fill_info(record)
        self.reviews.show_asset(record.id)
        self.reviews_title.setVisible(self.reviews.isVisibleTo(self.form))
        try:
            self.metadata.show_metadata(self._library.find.metadata(record.id), record.tags)
        except Exception:  # a deleted asset or a busy database: the section waits for the next show
            self.metadata.show_metadata({})
        self._edit.setRowVisible(2, bool(self.metadata.suggested))

    def _fill_info(self, r: AssetRecord) -> None:
        values = {
            "Type": formatting.TYPE_LABELS.get(r.asset_type, r.asset_type),
            "Format": f"{r.format.upper()}  ({r.mime})",
            "Dimensions": formatting.dimensions(r) if r.width else None,
            "Duration": formatting.duration(r.duration) if r.duration is not None else None,
            "Pages": str(r.page_count) if r.page_count is not None else None,
            "Size": formatting.human_size(r.size),
            "Added": formatting.when(r.uploaded_at),
            "Modified": formatting.when(r.updated_at),
        }
        for row, (key, value) in enumerate(values.items()):
            self.info_values[key].setText(value or "")
            self.info.setRowVisible(row, value is not None)

    def _fill_pickers(self, r: AssetRecord) -> None:
        client_id = r.client_id
        if client_id is None and r.campaign_id is not None:
            client_id = next((c.client_id for c in self._campaigns if c.id == r.campaign_id), None)
        self._client_ids = [None, *(c.id for c in self._clients)]
        self.client_box.clear()
        self.client_box.addItems([NONE_LABEL, *(c.name for c in self._clients)])
        self.client_box.setCurrentIndex(_position(self._client_ids, client_id))
        campaigns = [c for c in self._campaigns if c.client_id == client_id]
        self._campaign_ids = [None, *(c.id for c in campaigns)]
        self.campaign_box.clear()
        self.campaign_box.addItems([NONE_LABEL, *(c.name for c in campaigns)])
        self.campaign_box.setCurrentIndex(_position(self._campaign_ids, r.campaign_id))
        self.campaign_box.setEnabled(client_id is not None)
        self._shown_client_id = client_id

    # --- edits out ---------------------------------------------------------------------

    def picked_client(self) -> str | None:
        return self._client_ids[max(0, self.client_box.currentIndex())]

    def picked_campaign(self) -> str | None:
        return self._campaign_ids[max(0, self.campaign_box.currentIndex())]

    def select_client(self, client_id: str | None) -> None:
        self.client_box.setCurrentIndex(_position(self._client_ids, client_id))

    def select_campaign(self, campaign_id: str | None) -> None:
        self.campaign_box.setCurrentIndex(_position(self._campaign_ids, campaign_id))

    def select_purpose(self, purpose: str | None) -> None:
        self.purpose_box.setCurrentIndex(_position(self._purposes, purpose))

    def _request(self, changes: AssetChanges) -> None:
        if self.record is not None:
            self.changes_requested.emit(self.record.id, changes)

    @Slot()
    def _on_name_edited(self) -> None:
        name = self.name_edit.text().strip()
        if self.record is not None and name and name != self.record.name:
            self._request(AssetChanges(name=name))
        elif self.record is not None and not name:
            self.name_edit.setText(self.record.name)

    @Slot()
    def _on_tags_edited(self) -> None:
        tags = [t.strip() for t in self.tags_edit.text().split(",") if t.strip()]
        if self.record is not None and tags != (self.record.tags or []):
            self._request(AssetChanges(tags=tags or None))

    @Slot(int)
    def _on_client_picked(self, _index: int) -> None:
        client_id = self.picked_client()
        if self.record is not None and client_id != self._shown_client_id:
            self._request(AssetChanges(client_id=client_id, campaign_id=None))

    @Slot(int)
    def _on_campaign_picked(self, _index: int) -> None:
        campaign_id = self.picked_campaign()
        if self.record is None or campaign_id == self.record.campaign_id:
            return
        client_id = self.picked_client()
        self._request(AssetChanges(client_id=client_id, campaign_id=campaign_id))

    @Slot(int)
    def _on_purpose_picked(self, _index: int) -> None:
        purpose = self._purposes[max(0, self.purpose_box.currentIndex())]
        if self.record is not None and purpose != self.record.purpose:
            self._request(AssetChanges(purpose=purpose))
