"""The process diagram on the instance page, as a person uses it: it opens with readable labels on the current
step, which is also named in text; the Dutch buttons zoom in, out and back to the whole diagram; dragging pans;
on a phone the page does not scroll sideways while the diagram still pans."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, OpenBrowser, Screenshots
from tests.e2e.seed import complete_open_task, start_request
from tests.e2e.ui import TOETSEN, sign_in
from tests.web.change_request import ZORGROBOTS

READABLE_PX = 11  # the smallest label a person reads without leaning in (bpmn-js's own size at 100 %)

# The on-screen size (px) of every label drawn inside the diagram's frame: font-size times the zoom on screen.
LABEL_SIZES = """() => {
    const frame = document.querySelector('#diagram').getBoundingClientRect();
    return Array.from(document.querySelectorAll('#diagram .djs-visual text')).filter(text => {
        const box = text.getBoundingClientRect();
        return box.width > 0 && box.right > frame.left && box.left < frame.right
            && box.bottom > frame.top && box.top < frame.bottom;
    }).map(text => {
        const m = text.getScreenCTM();  // lane names are turned a quarter: take the length of the x axis
        return parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b);
    });
}"""


def _step_box(page: Page, element_id: str) -> dict[str, float]:
    """Where a step is drawn on screen."""
    return page.locator(f'#diagram [data-element-id="{element_id}"] .djs-visual').bounding_box()  # type: ignore[return-value]


def _frame(page: Page) -> dict[str, float]:
    return page.locator("#diagram").bounding_box()  # type: ignore[return-value]


def _inside(inner: dict[str, float], outer: dict[str, float], margin: float = 1) -> bool:
    return (
        inner["x"] >= outer["x"] - margin
        and inner["y"] >= outer["y"] - margin
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + margin
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + margin
    )


def _labels(page: Page) -> list[float]:
    sizes: list[float] = page.evaluate(LABEL_SIZES)
    assert sizes, "no label of the diagram is visible in its frame"
    return sizes


def _drag(page: Page, dx: float, dy: float) -> None:
    """Press the mouse in the middle of the diagram and drag it by (dx, dy)."""
    frame = _frame(page)
    x, y = frame["x"] + frame["width"] / 2, frame["y"] + frame["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=5)
    page.mouse.move(x + dx, y + dy, steps=5)
    page.mouse.up()


def _shot_diagram(page: Page, shot: Screenshots, what: str) -> None:
    """A close-up of the diagram section (beside the whole-page screenshots), to look at the labels."""
    shot.count += 1
    page.locator("#diagram").evaluate("frame => frame.scrollIntoView({block: 'end'})")
    page.screenshot(path=str(shot.folder / f"{shot.count:02d}-{what}.png"))


def _open_instance(page: Page, case: int) -> None:
    page.goto(f"/verzoeken/{case}")
    expect(page.locator("#diagram .djs-element.sto-current").first).to_be_visible()


def test_the_diagram_opens_readable_on_the_current_step_and_zooms_pans_and_fits(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots
) -> None:
    case = start_request(live_server.runtime)
    complete_open_task(live_server.runtime, case, "projectleider@demo.sto", ZORGROBOTS)
    user = open_browser("penvoerder@demo.sto")
    page = user.page
    sign_in(page, "penvoerder@demo.sto")
    _open_instance(page, case)
    shot(page, "instance-page-diagram-opened")

    # The current step in words, above the drawing, and in view (coloured) in the drawing.
    expect(page.locator("#diagram-now")).to_have_text(f"Nu: {TOETSEN} (rol penvoerder)")
    assert _inside(_step_box(page, "toetsen"), _frame(page)), "the current step is not in view"
    assert "sto-current" in (page.locator('#diagram [data-element-id="toetsen"]').get_attribute("class") or "")
    opened = _labels(page)
    assert min(opened) >= READABLE_PX - 0.1, f"labels open at {min(opened):.1f} px"

    # Inzoomen: labels grow.
    page.get_by_role("button", name="Inzoomen").click()
    zoomed = _labels(page)
    assert max(zoomed) > max(opened) * 1.1, (opened, zoomed)
    _shot_diagram(page, shot, "zoomed-in")

    # Uitzoomen: back to where it was.
    page.get_by_role("button", name="Uitzoomen").click()
    assert max(_labels(page)) == pytest.approx(max(opened), rel=0.02)

    # Dragging moves the drawing with the mouse.
    before = _step_box(page, "toetsen")
    _drag(page, -200, -60)
    after = _step_box(page, "toetsen")
    assert after["x"] == pytest.approx(before["x"] - 200, abs=8) and after["y"] == pytest.approx(
        before["y"] - 60, abs=8
    )
    _shot_diagram(page, shot, "panned")

    # Passend maken: every step of the diagram in the frame at once (smaller, as the person asked).
    page.get_by_role("button", name="Passend maken").click()
    frame = _frame(page)
    for element in ("indienen", "toetsen", "vastleggen"):
        assert _inside(_step_box(page, element), frame), f"{element} is outside the frame after 'Passend maken'"
    assert max(_labels(page)) < max(opened)
    _shot_diagram(page, shot, "fitted")

    # Back to the current step, readable again.
    page.get_by_role("button", name="Naar de huidige stap").click()
    assert _inside(_step_box(page, "toetsen"), _frame(page)) and min(_labels(page)) >= READABLE_PX - 0.1
    assert user.js_errors == []


def test_on_a_phone_the_page_does_not_scroll_sideways_and_the_diagram_still_pans(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots
) -> None:
    case = start_request(live_server.runtime)
    complete_open_task(live_server.runtime, case, "projectleider@demo.sto", ZORGROBOTS)
    user = open_browser("penvoerder@demo.sto")
    page = user.page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "penvoerder@demo.sto")
    _open_instance(page, case)
    page.locator("#diagram").scroll_into_view_if_needed()
    shot(page, "phone-instance-page")

    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    assert _frame(page)["width"] <= 390
    assert min(_labels(page)) >= READABLE_PX - 0.1  # not shrunk to fit the narrow screen
    assert _inside(_step_box(page, "toetsen"), _frame(page))
    expect(page.locator("#diagram-now")).to_contain_text(TOETSEN)

    before = _step_box(page, "toetsen")
    _drag(page, 120, 0)
    assert _step_box(page, "toetsen")["x"] == pytest.approx(before["x"] + 120, abs=8)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    _shot_diagram(page, shot, "phone-panned")
    assert user.js_errors == []


@pytest.mark.parametrize(
    ("process_key", "starter", "data"),
    [
        ("rapportage", "projectleider@demo.sto", {}),
        ("nieuwe_partner", "projectleider@demo.sto", {}),
        ("partner_vertrek", "projectleider@demo.sto", {}),
    ],
)
def test_every_process_draws_readable_with_its_current_step_in_view(
    open_browser: OpenBrowser,
    live_server: LiveServer,
    shot: Screenshots,
    process_key: str,
    starter: str,
    data: dict[str, Any],
) -> None:
    case = start_request(live_server.runtime, starter, process_key=process_key, data=data)
    user = open_browser(starter)
    page = user.page
    sign_in(page, starter)
    _open_instance(page, case)
    _shot_diagram(page, shot, f"{process_key}-diagram")
    expect(page.locator("#diagram-now")).to_contain_text("Nu:")
    current = page.locator("#diagram .djs-element.sto-current .djs-visual").first.bounding_box()
    assert current and _inside(current, _frame(page))
    assert min(_labels(page)) >= READABLE_PX - 0.1
    page.get_by_role("button", name="Passend maken").click()
    assert page.locator("#diagram .djs-shape").count() > 5
    assert user.js_errors == []
