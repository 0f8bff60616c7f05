"""Simple charts drawn on the server as inline SVG: no JavaScript, no CDN (municipal networks
often block both), and no CSS (the site's Content-Security-Policy forbids inline styles, so only
presentation attributes are used).

Each chart is an image with a name and a description for screen readers (`<title>`, `<desc>`,
aria-labelledby); every text is escaped. The pages show the same numbers in a table as well.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.formatting import format_items

FONT = "'Noto Sans JP', 'Hiragino Kaku Gothic ProN', 'Yu Gothic UI', Meiryo, sans-serif"
INK = "#1f2a2e"
MUTED = "#5b6b70"
GRID = "#d5dedd"
COLORS = ("#0b5e57", "#b35900")
DASHES = ("", "6 4")
FONT_SIZE = 13


@dataclass(frozen=True)
class Series:
    """One line of a step chart: a value for each day."""

    label: str
    values: list[int]


def text_width(text: str, size: int = FONT_SIZE) -> float:
    """Roughly how wide `text` is drawn: full-width characters one em, others about 0.6 em."""
    return sum(size if ord(char) >= 0x2E80 else size * 0.6 for char in text)


def _truncate(text: str, width: float) -> str:
    if text_width(text) <= width:
        return text
    while text and text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def nice_ceiling(value: int) -> tuple[int, int]:
    """An axis maximum at least `value` and its tick step (1, 2 or 5 times a power of ten), reached
    in at most five steps."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor * 5:
                size = step * factor
                return max(size, -(-value // size) * size), size
        step *= 10


def _svg(chart_id: str, title: str, description: str, width: int, height: int, body: list[str]):
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'font-family="{escape(FONT)}" font-size="{FONT_SIZE}" fill="{INK}">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, anchor: str = "start", fill: str = INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}">{escape(text)}</text>'
    )


def _no_data(chart_id: str, title: str, width: int) -> Markup:
    message = _("データがありません")
    return _svg(
        chart_id, title, message, width, 60, [_text(width / 2, 34, message, "middle", MUTED)]
    )


def step_chart(chart_id: str, title: str, days: list[date], series: list[Series]) -> Markup:
    """Running totals per day as steps: each day's value holds across that day's slot."""
    width, height = 640, 300
    left, right, top, bottom = 48, 16, 16, 72
    if not days or not series:
        return _no_data(chart_id, title, width)
    plot_w, plot_h = width - left - right, height - top - bottom
    y_max, y_step = nice_ceiling(max(max(s.values) for s in series))
    slot = plot_w / len(days)

    def x(index: int) -> float:
        return left + index * slot

    def y(value: int) -> float:
        return top + plot_h - value / y_max * plot_h

    body = []
    for tick in range(0, y_max + 1, y_step):
        body.append(
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{width - right}" y2="{y(tick):.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(_text(left - 6, y(tick) + 4, str(tick), "end", MUTED))
    for index in _label_indexes(len(days)):
        day = days[index]
        body.append(
            _text(x(index) + slot / 2, top + plot_h + 18, f"{day.month}/{day.day}", "middle")
        )
    for number, line in enumerate(series):
        path = [f"M{x(0):.1f},{y(0):.1f}"]
        for index, value in enumerate(line.values):
            path.append(f"V{y(value):.1f}H{x(index + 1):.1f}")
        color = COLORS[number % len(COLORS)]
        dash = DASHES[number % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<path d="{"".join(path)}" fill="none" stroke="{color}" stroke-width="2.5"'
            f"{dash_attr}/>"
        )
        legend_x = left + number * (plot_w / 2)
        legend_y = height - 18
        body.append(
            f'<line x1="{legend_x:.1f}" y1="{legend_y - 4}" x2="{legend_x + 28:.1f}" '
            f'y2="{legend_y - 4}" stroke="{color}" stroke-width="2.5"{dash_attr}/>'
        )
        body.append(_text(legend_x + 34, legend_y, f"{line.label}（{line.values[-1]}）"))
    first, last = days[0], days[-1]
    description = _(
        "%(first)s から %(last)s まで。", first=_date_text(first), last=_date_text(last)
    ) + format_items(f"{line.label} {line.values[-1]}" for line in series)
    return _svg(chart_id, title, description, width, height, body)


def _label_indexes(count: int, most: int = 7) -> list[int]:
    """Which day slots get a date label: the first, the last and evenly spaced ones between."""
    if count <= most:
        return list(range(count))
    return sorted({round(i * (count - 1) / (most - 1)) for i in range(most)})


def _date_text(day: date) -> str:
    return _("%(year)s年%(month)s月%(day)s日", year=day.year, month=day.month, day=day.day)


def bar_chart(
    chart_id: str, title: str, rows: list[tuple[str, int]], value_text: Callable[[int], str]
) -> Markup:
    """Horizontal bars, one per row, labelled on the left with the value after the bar, written
    by `value_text` (27 → 「27名」 / "27 people")."""
    width, row_height, bar_height, top = 640, 28, 18, 8
    if not rows:
        return _no_data(chart_id, title, width)
    label_w = min(max(text_width(label) for label, _value in rows) + 12, 220)
    value_w = text_width(value_text(max(v for _label, v in rows))) + 12
    plot_w = width - label_w - value_w - 8
    peak = max(max(v for _label, v in rows), 1)
    height = top * 2 + row_height * len(rows)
    body = [
        f'<line x1="{label_w:.1f}" y1="{top}" x2="{label_w:.1f}" y2="{height - top}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    ]
    for index, (label, value) in enumerate(rows):
        row_y = top + index * row_height
        bar_w = value / peak * plot_w
        text_y = row_y + row_height / 2 + 4.5
        body.append(
            f"<g><title>{escape(label)}: {escape(value_text(value))}</title>"
            + _text(label_w - 6, text_y, _truncate(label, label_w - 12), "end")
            + f'<rect x="{label_w:.1f}" y="{row_y + (row_height - bar_height) / 2:.1f}" '
            f'width="{bar_w:.1f}" height="{bar_height}" fill="{COLORS[0]}"/>'
            + _text(label_w + bar_w + 6, text_y, value_text(value))
            + "</g>"
        )
    description = format_items(f"{label} {value_text(value)}" for label, value in rows)
    return _svg(chart_id, title, description, width, height, body)
