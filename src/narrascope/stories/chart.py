"""A story's timeline drawn three ways: bars in the terminal, an SVG, a PNG; bursts shaded."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from narrascope.stories.timeline import Timeline

__all__ = ["png", "svg", "terminal"]

WIDTH, HEIGHT, MARGIN = 900, 320, 48
BAR, BURST, AXIS = "#3a6ea5", "#f4d06f", "#444444"


def _in_burst(timeline: Timeline) -> list[bool]:
    marks = [False] * len(timeline.days)
    for burst in timeline.bursts:
        a, b = timeline.days.index(burst.start), timeline.days.index(burst.end)
        for k in range(a, b + 1):
            marks[k] = True
    return marks


def terminal(timeline: Timeline, width: int = 50) -> str:
    """One line per day: date, bar, count, and ▲ on burst days (empty days folded into one line)."""
    top = max(timeline.counts, default=0)
    lines = [f"{timeline.cluster}: daily documents ({sum(timeline.counts)} dated, {timeline.undated} undated)"]
    marks = _in_burst(timeline)
    quiet = 0
    for day, count, mark in zip(timeline.days, timeline.counts, marks, strict=True):
        if count == 0 and not mark:
            quiet += 1
            continue
        if quiet:
            lines.append(f"{'':10}   … {quiet} day{'s' if quiet > 1 else ''} without documents")
            quiet = 0
        bar = "█" * max(1, round(width * count / top)) if count else ""
        lines.append(f"{day} │{bar:<{width}} {count:>5}{'  ▲ burst' if mark else ''}")
    for burst in timeline.bursts:
        lines.append(f"burst {burst.start} … {burst.end}: {burst.documents} documents, weight {burst.weight:g}")
    if not timeline.bursts and timeline.days:
        lines.append("no burst: the story never ran well above its usual share of the day's documents")
    return "\n".join(lines) + "\n"


def _geometry(timeline: Timeline) -> tuple[float, float, int]:
    n = max(len(timeline.days), 1)
    step = (WIDTH - 2 * MARGIN) / n
    top = max(max(timeline.counts, default=0), 1)
    return step, (HEIGHT - 2 * MARGIN) / top, top


def svg(timeline: Timeline) -> str:
    """A self-contained SVG bar chart (no scripts, text escaped)."""
    step, scale, top = _geometry(timeline)
    base = HEIGHT - MARGIN
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(timeline.cluster)}: documents per day</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
    ]
    for k, mark in enumerate(_in_burst(timeline)):
        if mark:
            x = MARGIN + k * step
            parts.append(f'<rect x="{x:.1f}" y="{MARGIN}" width="{step:.1f}" height="{base - MARGIN}" fill="{BURST}"/>')
    for k, count in enumerate(timeline.counts):
        if count:
            h = count * scale
            x = MARGIN + k * step + step * 0.1
            parts.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{step * 0.8:.1f}" height="{h:.1f}" fill="{BAR}">'
                f"<title>{escape(timeline.days[k])}: {count}</title></rect>"
            )
    parts += [
        f'<line x1="{MARGIN}" y1="{base}" x2="{WIDTH - MARGIN}" y2="{base}" stroke="{AXIS}"/>',
        f'<line x1="{MARGIN}" y1="{MARGIN}" x2="{MARGIN}" y2="{base}" stroke="{AXIS}"/>',
        f'<text x="{MARGIN - 6}" y="{MARGIN + 4}" text-anchor="end">{top}</text>',
        f'<text x="{MARGIN - 6}" y="{base + 4}" text-anchor="end">0</text>',
    ]
    if timeline.days:
        parts.append(f'<text x="{MARGIN}" y="{base + 18}">{escape(timeline.days[0])}</text>')
        parts.append(f'<text x="{WIDTH - MARGIN}" y="{base + 18}" text-anchor="end">{escape(timeline.days[-1])}</text>')
    legend = (
        f"{timeline.cluster}: documents per day; shaded: bursts"
        if timeline.bursts
        else f"{timeline.cluster}: documents per day"
    )
    parts.append(f'<text x="{MARGIN}" y="{MARGIN - 16}" font-size="14">{escape(legend)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def png(timeline: Timeline, path: Path) -> None:
    """The same chart as a PNG (Pillow, its built-in font)."""
    from PIL import Image, ImageDraw

    step, scale, top = _geometry(timeline)
    base = HEIGHT - MARGIN
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    for k, mark in enumerate(_in_burst(timeline)):
        if mark:
            draw.rectangle([MARGIN + k * step, MARGIN, MARGIN + (k + 1) * step, base], fill=BURST)
    for k, count in enumerate(timeline.counts):
        if count:
            x = MARGIN + k * step + step * 0.1
            draw.rectangle([x, base - count * scale, x + max(step * 0.8, 1), base], fill=BAR)
    draw.line([MARGIN, base, WIDTH - MARGIN, base], fill=AXIS)
    draw.line([MARGIN, MARGIN, MARGIN, base], fill=AXIS)
    draw.text((MARGIN - 6, MARGIN), str(top), fill=AXIS, anchor="rm")
    draw.text((MARGIN - 6, base), "0", fill=AXIS, anchor="rm")
    if timeline.days:
        draw.text((MARGIN, base + 8), timeline.days[0], fill=AXIS)
        draw.text((WIDTH - MARGIN, base + 8), timeline.days[-1], fill=AXIS, anchor="ra")
    draw.text((MARGIN, MARGIN - 24), f"{timeline.cluster}: documents per day", fill=AXIS)
    image.save(path, format="PNG")
