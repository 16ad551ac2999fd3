"""Above the grid: the scope's title, search, type filters with counts, purpose, sort and zoom."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QFont,
    QIcon,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.formats import ASSET_TYPES
from app.gui import formatting, icons
from app.gui.grid import DEFAULT_EDGE, MAX_EDGE, MIN_EDGE
from app.library.records import SortKey

SORTS: list[tuple[SortKey, str]] = [
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("name", "Name"),
    ("size", "Largest first"),
    ("type", "Type"),
]
RANKED_SHORT = "Nearest"  # what a colour or similar search sorts by, whatever the menu says
SORT_SHORT = {"newest": "Newest", "oldest": "Oldest", "name": "Name", "size": "Largest", "type": "Type"}
PURPOSES: list[tuple[str | None, str]] = [(None, "Any purpose"), ("face", "Face"), ("template", "Template")]
PURPOSE_SHORT = {None: "Purpose", "face": "Face", "template": "Template"}
# Review status from the clients' share links (the tiles' badges).
REVIEWS: list[tuple[str | None, str]] = [
    (None, "Any review status"), ("approved", "Approved"), ("changes_requested", "Changes requested"),
    ("commented", "Comments, no decision"), ("unreviewed", "Not reviewed")]
REVIEW_SHORT = {None: "Review", "approved": "Approved", "changes_requested": "Changes",
                "commented": "Comments", "unreviewed": "Not reviewed"}
# Stars and colour labels, as Bridge's filter panel offers them; keys 0-9 set them.
RATINGS: list[tuple[int | None, str]] = [(None, "Any rating"), *((n, "★" * n + (" and up" if n < 5 else "")) for n in range(1, 6))]
LABELS: list[tuple[str | None, str]] = [
    (None, "Any label"), ("red", "Red"), ("yellow", "Yellow"), ("green", "Green"), ("blue", "Blue"),
    ("purple", "Purple"), ("none", "No label")]
SEARCH_DELAY_MS = 200
SEARCH_HINT, SEARCH_HINT_SHORT = "Search names and tags", "Search"
SEARCH_MIN_WIDTH = 180  # as narrow as the search box gets (the stylesheet says so too)
ZOOM_STEP = 24


class ElidedLabel(QLabel):
    """A one-line label that ends in "…" when narrower than its text; the tooltip has it all."""

    def setText(self, text: str) -> None:  # noqa: N802
        self._full = text
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:
        return QSize(40, super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.setFont(self.font())
        text = self.fontMetrics().elidedText(getattr(self, "_full", self.text()), Qt.TextElideMode.ElideRight, self.width())
        painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
        painter.end()

    def shown_text(self) -> str:
        return self.fontMetrics().elidedText(getattr(self, "_full", self.text()), Qt.TextElideMode.ElideRight, self.width())


def _swatch_icon(colour: str) -> QIcon:
    """A round swatch of the colour with a hairline ring, legible on light and dark chips."""
    pm = QPixmap(32, 32)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(QColor(0, 0, 0, 70), 2))
    p.setBrush(QColor(colour))
    p.drawEllipse(4, 4, 24, 24)
    p.end()
    return QIcon(pm)


class FilterBar(QWidget):
    type_changed = Signal(object)  # str | None
    purpose_changed = Signal(object)  # str | None
    review_changed = Signal(object)  # str | None
    rating_changed = Signal(object, object)  # int | None (least stars), str | None (label)
    search_changed = Signal(str)
    sort_changed = Signal(str)
    zoom_changed = Signal(int)
    import_clicked = Signal()
    colour_pick_requested = Signal()
    colour_cleared = Signal()
    similar_cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FilterBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.ranked = False
        self._build()
        self._connect()

    def _build(self) -> None:
        self.title = ElidedLabel("All assets")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.45)
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        self.subtitle = ElidedLabel("")
        self.subtitle.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.subtitle.setObjectName("Muted")
        self.search = QLineEdit()
        self.search.setObjectName("SearchBox")
        self.search.setPlaceholderText(SEARCH_HINT)
        self.search.setToolTip(
            "Search names, tags, creator, copyright, credit, description and keywords (Ctrl+F)"
        )
        self.search.setClearButtonEnabled(True)
        search_icon = self.search.addAction(QIcon(), QLineEdit.ActionPosition.LeadingPosition)
        icons.set_icon(search_icon, "search")
        # Search by colour from the search box itself: the type row has no room to spare.
        self.colour_action = self.search.addAction(QIcon(), QLineEdit.ActionPosition.TrailingPosition)
        icons.set_icon(self.colour_action, "palette")
        self.colour_action.setToolTip("Search by colour: pick one, see the assets that contain it (Ctrl+Shift+C)")
        self.colour_action.triggered.connect(self.colour_pick_requested)
        self.import_button = QPushButton("  Import")
        icons.set_icon(self.import_button, "import", "#FFFFFF")
        self.import_button.setObjectName("Primary")
        self.import_button.setToolTip("Import files (Ctrl+O)")

        top = QHBoxLayout()
        top.setSpacing(10)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        top.addLayout(titles, 1)
        top.addWidget(self.search)
        top.addWidget(self.import_button)

        self.type_group = QButtonGroup(self)
        self.type_group.setExclusive(True)
        self.type_buttons: dict[str | None, QPushButton] = {}
        row = QHBoxLayout()
        row.setSpacing(4)
        for kind in (None, *ASSET_TYPES):
            button = QPushButton(self._type_label(kind, None))
            button.setObjectName("TypePill")
            button.setCheckable(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            # Never squeezed below its text: when the row is short of room the counts go.
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            self.type_group.addButton(button)
            self.type_buttons[kind] = button
            row.addWidget(button)
        self.type_buttons[None].setChecked(True)
        row.addStretch(1)

        self.purpose_button = self._menu_button("filter", PURPOSE_SHORT[None])
        self.purpose_button.setToolTip("Show only assets with this purpose")
        self.purpose_actions = self._exclusive_menu(self.purpose_button, PURPOSES, None)
        self.sort_button = self._menu_button("sort", SORT_SHORT["newest"])
        self.sort_button.setToolTip("Sort order")
        self.sort_actions = self._exclusive_menu(self.sort_button, SORTS, "newest")
        self.review_button = self._menu_button("filter", REVIEW_SHORT[None])
        self.review_button.setToolTip("Show only assets with this review status (share links)")
        self.review_actions = self._exclusive_menu(self.review_button, REVIEWS, None)
        self.rating_button = self._menu_button("star", "Rating")
        self.rating_button.setToolTip("Show only assets with at least these stars, or this colour label")
        self.rating_actions = self._exclusive_menu(self.rating_button, RATINGS, None)
        self.rating_button.menu().addSeparator()
        self.label_actions = self._exclusive_menu(self.rating_button, LABELS, None)
        self.rating = None
        self.label = None
        # At the narrowest one Filters menu holds the three filter menus (the same actions),
        # and a filter's own button shows only while it filters.
        self.filters_button = self._menu_button("filter", "Filters")
        self.filters_button.setToolTip("Filter by rating, label, purpose or review status")
        for title, groups in (("Rating", (self.rating_actions, self.label_actions)),
                              ("Purpose", (self.purpose_actions,)), ("Review", (self.review_actions,))):
            sub = self.filters_button.menu().addMenu(title)
            for n, group in enumerate(groups):
                if n:
                    sub.addSeparator()
                sub.addActions(list(group.values()))
        self.filters_button.hide()
        row.addWidget(self.filters_button)
        row.addWidget(self.rating_button)
        row.addWidget(self.purpose_button)
        row.addWidget(self.review_button)
        row.addWidget(self.sort_button)

        # The active colour and likeness searches, each a chip that takes itself off;
        # the row shows only while one is on, so a narrow window keeps its room.
        self.chips = QWidget()
        chips = QHBoxLayout(self.chips)
        chips.setContentsMargins(0, 0, 0, 0)
        chips.setSpacing(6)
        self.colour_chip = QPushButton("")
        self.colour_chip.setObjectName("Chip")
        self.colour_chip.setCursor(Qt.CursorShape.PointingHandCursor)
        self.colour_chip.setToolTip("Stop searching by this colour")
        self.colour_chip.clicked.connect(self.colour_cleared)
        self.similar_chip = QPushButton("")
        self.similar_chip.setObjectName("Chip")
        self.similar_chip.setCursor(Qt.CursorShape.PointingHandCursor)
        self.similar_chip.setToolTip("Stop showing look-alikes")
        self.similar_chip.clicked.connect(self.similar_cleared)
        for chip in (self.colour_chip, self.similar_chip):
            chip.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            chip.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            chips.addWidget(chip)
        chips.addStretch(1)
        self.chips.hide()

        # The zoom lives in the status bar, bottom right, where photo tools keep it.
        self.zoom_box = QWidget()
        small = QToolButton()
        icons.set_icon(small, "zoom-small")
        small.setToolTip("Smaller thumbnails")
        large = QToolButton()
        icons.set_icon(large, "zoom-large")
        large.setToolTip("Larger thumbnails")
        self.zoom = QSlider(Qt.Orientation.Horizontal)
        self.zoom.setRange(MIN_EDGE, MAX_EDGE)
        self.zoom.setValue(DEFAULT_EDGE)
        self.zoom.setFixedWidth(120)
        self.zoom.setToolTip("Thumbnail size (Ctrl+= / Ctrl+-)")
        self.zoom_box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        zoom_row = QHBoxLayout(self.zoom_box)
        zoom_row.setContentsMargins(0, 0, 10, 0)
        zoom_row.setSpacing(6)
        zoom_row.addWidget(small)
        zoom_row.addWidget(self.zoom)
        zoom_row.addWidget(large)
        small.clicked.connect(lambda: self.zoom.setValue(self.zoom.value() - ZOOM_STEP))
        large.clicked.connect(lambda: self.zoom.setValue(self.zoom.value() + ZOOM_STEP))

        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 14, 14, 10)
        outer.setSpacing(10)
        outer.addLayout(top)
        outer.addLayout(row)
        outer.addWidget(self.chips)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)

    def minimumSizeHint(self) -> QSize:
        # Let the splitter make the centre narrow (the pills then drop their counts, the menu
        # buttons their words), but never so narrow that a pill's name is cut.
        return QSize(448, super().minimumSizeHint().height())

    def _menu_button(self, icon_name: str, text: str) -> QToolButton:
        button = QToolButton()
        icons.set_icon(button, icon_name)
        button.setText(text)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setMenu(QMenu(button))
        return button

    def _exclusive_menu(self, button: QToolButton, choices: list, current: object) -> dict[object, QAction]:  # type: ignore[type-arg]
        group = QActionGroup(button)
        group.setExclusive(True)
        actions: dict[object, QAction] = {}
        for value, label in choices:
            action = button.menu().addAction(label)
            action.setCheckable(True)
            action.setChecked(value == current)
            group.addAction(action)
            actions[value] = action
        return actions

    def _connect(self) -> None:
        self.type_group.buttonClicked.connect(self._on_type_clicked)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self._search_timer.timeout.connect(self._on_search_settled)
        for sort, action in self.sort_actions.items():
            action.triggered.connect(lambda _checked=False, s=sort: self._on_sort_picked(s))
        for purpose, action in self.purpose_actions.items():
            action.triggered.connect(lambda _checked=False, p=purpose: self._on_purpose_picked(p))
        for status, action in self.review_actions.items():
            action.triggered.connect(lambda _checked=False, v=status: self.set_review(v))
        for stars, action in self.rating_actions.items():
            action.triggered.connect(lambda _checked=False, n=stars: self.set_rating(n, self.label))
        for label, action in self.label_actions.items():
            action.triggered.connect(lambda _checked=False, v=label: self.set_rating(self.rating, v))
        self.zoom.valueChanged.connect(self.zoom_changed)
        self.import_button.clicked.connect(self.import_clicked)

    @staticmethod
    def _type_label(kind: str | None, count: int | None) -> str:
        label = "All" if kind is None else formatting.PLURAL_LABELS[kind]
        return label if count is None else f"{label}  {formatting.compact_count(count)}"

    # --- state in ----------------------------------------------------------------------

    def set_counts(self, counts: dict[str, int]) -> None:
        self._counts = {None: sum(counts.values()), **{k: counts.get(k, 0) for k in ASSET_TYPES}}
        self._relabel()

    def _idle(self) -> dict[QToolButton, bool]:
        """Each menu button: whether it shows only its default (no filter, the default sort)."""
        return {
            self.rating_button: self.rating_button.text() == "Rating",
            self.purpose_button: self.purpose_button.text() == PURPOSE_SHORT[None],
            self.review_button: self.review_button.text() == REVIEW_SHORT[None],
            self.sort_button: self.sort_button.text() == SORT_SHORT["newest"],
        }

    def _row_width(self, words: bool) -> int:
        """The type row's width with counts on every pill, and words on every menu button
        (words) or only on those that filter or sort otherwise than by default."""
        counts = getattr(self, "_counts", {})
        total = 0
        for kind, button in self.type_buttons.items():
            fm = button.fontMetrics()
            pad = button.sizeHint().width() - fm.horizontalAdvance(button.text())
            total += fm.horizontalAdvance(self._type_label(kind, counts.get(kind))) + pad + 4
        for button, idle in self._idle().items():
            total += (button.fontMetrics().horizontalAdvance(button.text()) if words or not idle else 0) + 48
        margins = self.layout().contentsMargins() if self.layout() else None
        return total + (margins.left() + margins.right() if margins else 32) + 12

    def _relabel(self) -> None:
        """Words everywhere; else the idle menu buttons as icons; else (compact) no counts on
        the pills and the idle filters folded into one Filters menu."""
        counts = getattr(self, "_counts", {})
        full = self.width() >= self._row_width(words=True)
        compact = not full and self.width() < self._row_width(words=False)
        for kind, button in self.type_buttons.items():
            count = counts.get(kind)
            button.setText(self._type_label(kind, None if compact else count))
            plural = "All assets" if kind is None else formatting.PLURAL_LABELS[kind]
            button.setToolTip(plural if count is None else f"{plural}: {count:,}")
        icon_only, beside = Qt.ToolButtonStyle.ToolButtonIconOnly, Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        idle = self._idle()
        for button, unused in idle.items():
            button.setToolButtonStyle(beside if full or (not compact and not unused) else icon_only)
            # Folded into the Filters menu at the narrowest, unless it is filtering.
            button.setVisible(not compact or not unused or button is self.sort_button)
        self.filters_button.setToolButtonStyle(icon_only)
        self.filters_button.setVisible(compact)
        self.compact = compact

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relabel()
        self._fit_search()

    def _fit_search(self) -> None:
        """Wide enough for the whole hint where the bar has room; 180 px where it has not."""
        fm = self.search.fontMetrics()
        # The hint, the search and colour icons, the clear button and the CSS padding.
        whole = fm.horizontalAdvance(SEARCH_HINT) + 4 * fm.height() + 24
        width = max(SEARCH_MIN_WIDTH, min(whole, self.width() * 2 // 5))
        self.search.setFixedWidth(width)
        # A hint cut short reads as broken ("Search names and…"); a short one does not.
        self.search.setPlaceholderText(SEARCH_HINT if width >= whole else SEARCH_HINT_SHORT)

    def set_chips(self, colour: str | None, similar: str | None) -> None:
        """Show the colour and look-alike searches that are on (None: off)."""
        if colour:
            self.colour_chip.setText(f"Colour  {colour.upper()}   ✕")
            self.colour_chip.setIcon(_swatch_icon(colour))
        if similar:
            name = self.similar_chip.fontMetrics().elidedText(similar, Qt.TextElideMode.ElideMiddle, 220)
            self.similar_chip.setText(f"Looks like “{name}”   ✕")
            icons.set_icon(self.similar_chip, "image")
        self.colour_chip.setVisible(bool(colour))
        self.similar_chip.setVisible(bool(similar))
        self.chips.setVisible(bool(colour or similar))

    def set_scope_title(self, title: str, subtitle: str) -> None:
        self.title.setText(title)
        self.subtitle.setText(subtitle)

    def set_type(self, kind: str | None) -> None:
        self.type_buttons[kind].setChecked(True)

    def set_sort(self, sort: str) -> None:
        action = self.sort_actions.get(sort)
        if action is not None:
            action.setChecked(True)
            if not self.ranked:
                self.sort_button.setText(SORT_SHORT[sort])

    def set_ranked(self, ranked: bool) -> None:
        """A colour or look-alike search orders by distance: the button says so and rests;
        the sort picked before comes back when the search goes."""
        self.ranked = ranked
        self.sort_button.setEnabled(not ranked)
        if ranked:
            self.sort_button.setText(RANKED_SHORT)
            self.sort_button.setToolTip("Sorted nearest first while searching by colour or likeness")
        else:
            picked = next((s for s, a in self.sort_actions.items() if a.isChecked()), "newest")
            self.sort_button.setText(SORT_SHORT[str(picked)])
            self.sort_button.setToolTip("Sort order")
        self._relabel()

    # --- state out ---------------------------------------------------------------------

    def current_type(self) -> str | None:
        return next((k for k, b in self.type_buttons.items() if b.isChecked()), None)

    @Slot()
    def _on_type_clicked(self) -> None:
        self.type_changed.emit(self.current_type())

    @Slot()
    def _on_search_settled(self) -> None:
        self.search_changed.emit(self.search.text())

    # The values travel in closures, not QAction.data(): "any purpose" is None, which would come
    # back through an invalid QVariant (PySide6 6.12.0 mishandles those; see pyproject.toml).
    def _on_sort_picked(self, sort: str) -> None:
        self.sort_button.setText(SORT_SHORT[sort])
        self.sort_changed.emit(sort)

    def _on_purpose_picked(self, purpose: str | None) -> None:
        self.purpose_button.setText(PURPOSE_SHORT[purpose])
        self.purpose_changed.emit(purpose)

    def set_rating(self, stars: int | None, label: str | None) -> None:
        """Filter by least stars and colour label (each None: any), and say so on the button."""
        self.rating, self.label = stars, label
        self.rating_actions[stars].setChecked(True)
        self.label_actions[label].setChecked(True)
        parts = [f"★{stars}+" if stars and stars < 5 else "★5" if stars else "", dict(LABELS)[label] if label else ""]
        self.rating_button.setText(" · ".join(p for p in parts if p) or "Rating")
        self._relabel()
        self.rating_changed.emit(stars, label)

    def set_review(self, status: str | None) -> None:
        """Pick a review status (from its menu or the new-feedback notice) and say so."""
        self.review_actions[status].setChecked(True)
        self.review_button.setText(REVIEW_SHORT[status])
        self.review_changed.emit(status)
