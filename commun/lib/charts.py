"""Bar charts drawn on the server as SVG: no JavaScript, no inline style, a table beside.

The SVG is an image (`role="img"`) named by its `<title>` and described by its `<desc>`;
each bar has its own `<title>` (a tooltip on hover). Colours and fonts come from the
stylesheet through classes (`chart-bar`, `chart-series-1`…), sizes from SVG attributes:
the Content Security Policy refuses style attributes. The same figures are given as
`rows` for a data table, which screen readers and text browsers read instead.
"""

import dataclasses
from collections.abc import Callable, Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640


@dataclasses.dataclass
class Series:
    name: str
    values: Sequence[int]
    css_class: str = "chart-series-1"


@dataclasses.dataclass
class Chart:
    """A chart ready for a template: `svg` to show, `headers` and `rows` for its table."""

    id: str
    title: str
    description: str
    svg: SafeString
    headers: list[str]
    rows: list[list[str]]


def _scale(values, height: float) -> Callable[[int], float]:
    top = max([v for v in values if v > 0] or [1])
    return lambda value: round(max(value, 0) * height / top, 1)


def bar_chart(
    id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[int],
    *,
    description: str = "",
    format_value: Callable[[int], str] = str,
    label_header: str = "",
    value_header: str = "",
    css_class: str = "chart-series-1",
) -> Chart:
    """Horizontal bars, one per label, the label above its bar: readable at 320 px."""
    row_height, bar_top, bar_height = 56, 26, 20
    height = max(row_height * len(labels), row_height)
    scale = _scale(values, WIDTH - 160)
    bars = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = index * row_height
        width = scale(value)
        shown = format_value(value)
        bars.append(
            format_html(
                '<g class="chart-row"><text x="0" y="{}" class="chart-label">{}</text>'
                '<rect x="0" y="{}" width="{}" height="{}" class="chart-bar {}">'
                "<title>{} : {}</title></rect>"
                '<text x="{}" y="{}" class="chart-value">{}</text></g>',
                y + 20,
                label,
                y + bar_top,
                max(width, 1),
                bar_height,
                css_class,
                label,
                shown,
                width + 8,
                y + bar_top + 16,
                shown,
            )
        )
    svg = _svg(id, title, description, height, _joined(bars))
    return Chart(
        id=id,
        title=title,
        description=description,
        svg=svg,
        headers=[label_header, value_header],
        rows=[[label, format_value(value)] for label, value in zip(labels, values, strict=True)],
    )


def column_chart(
    id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    description: str = "",
    format_value: Callable[[int], str] = str,
    label_header: str = "",
) -> Chart:
    """Vertical bars grouped by label (e.g. months), one colour per series, with a legend."""
    plot_height, axis, legend = 200, 24, 28
    height = legend + plot_height + axis
    group_width = WIDTH / max(len(labels), 1)
    bar_width = max((group_width - 8) / max(len(series), 1), 2)
    scale = _scale([v for s in series for v in s.values], plot_height - 10)
    parts = []
    for index, one in enumerate(series):
        x = index * 180
        parts.append(
            format_html(
                '<rect x="{}" y="4" width="14" height="14" class="chart-bar {}"></rect>'
                '<text x="{}" y="16" class="chart-legend">{}</text>',
                x,
                one.css_class,
                x + 20,
                one.name,
            )
        )
    for column, label in enumerate(labels):
        left = column * group_width + 4
        for index, one in enumerate(series):
            value = one.values[column]
            bar = scale(value)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" class="chart-bar {}">'
                    "<title>{} — {} : {}</title></rect>",
                    round(left + index * bar_width, 1),
                    round(legend + plot_height - bar, 1),
                    round(bar_width - 1, 1),
                    max(bar, 0),
                    one.css_class,
                    label,
                    one.name,
                    format_value(value),
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" class="chart-axis">{}</text>',
                round(left + (group_width - 8) / 2, 1),
                legend + plot_height + 16,
                label,
            )
        )
    parts.append(
        format_html(
            '<line x1="0" y1="{}" x2="{}" y2="{}" class="chart-baseline"></line>',
            legend + plot_height,
            WIDTH,
            legend + plot_height,
        )
    )
    svg = _svg(id, title, description, height, _joined(parts))
    rows = [
        [label, *(format_value(one.values[column]) for one in series)]
        for column, label in enumerate(labels)
    ]
    return Chart(
        id=id,
        title=title,
        description=description,
        svg=svg,
        headers=[label_header, *(one.name for one in series)],
        rows=rows,
    )


def balance_chart(
    id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[int],
    *,
    lowest: int,
    description: str = "",
    format_value: Callable[[int], str] = str,
    label_header: str = "",
    value_header: str = "",
    lowest_note: str = "",
) -> Chart:
    """One column per label from a zero line, down when the value is negative (a balance
    month by month); the column at index `lowest` is drawn apart and marked in the table."""
    plot_height, axis = 220, 24
    top = max([v for v in values if v > 0] or [0])
    bottom = min([v for v in values if v < 0] or [0])
    span = (top - bottom) or 1
    zero = round(top * plot_height / span, 1)
    column_width = WIDTH / max(len(labels), 1)
    parts = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        size = round(abs(value) * plot_height / span, 1)
        css = "chart-lowest" if index == lowest else "chart-series-1"
        if value < 0:
            css = f"{css} chart-negative"
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" class="chart-bar {}">'
                "<title>{} : {}</title></rect>"
                '<text x="{}" y="{}" text-anchor="middle" class="chart-axis">{}</text>',
                round(index * column_width + 4, 1),
                zero if value < 0 else round(zero - size, 1),
                round(column_width - 8, 1),
                max(size, 1),
                css,
                label,
                format_value(value),
                round(index * column_width + column_width / 2, 1),
                plot_height + 16,
                label,
            )
        )
    parts.append(
        format_html(
            '<line x1="0" y1="{}" x2="{}" y2="{}" class="chart-baseline"></line>',
            zero,
            WIDTH,
            zero,
        )
    )
    svg = _svg(id, title, description, plot_height + axis, _joined(parts))
    rows = [
        [label, format_value(value), lowest_note if index == lowest else ""]
        for index, (label, value) in enumerate(zip(labels, values, strict=True))
    ]
    return Chart(
        id=id,
        title=title,
        description=description,
        svg=svg,
        headers=[label_header, value_header, ""],
        rows=rows,
    )


def _svg(id: str, title: str, description: str, height: float, body: SafeString) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {} {}" '
        'role="img" aria-labelledby="{}-title {}-desc" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        height,
        id,
        id,
        id,
        title,
        id,
        description or title,
        body,
    )


def _joined(parts: list[SafeString]) -> SafeString:
    """Join pieces each built by format_html (so already escaped)."""
    return format_html_join("", "{}", ((part,) for part in parts))
