"""The HTML reports in a real browser: Debian's Chromium, headless, driven by Playwright.

The pictures must render (not blank), the wrong entries must be outlined
where the report says they are wrong, and the pages must log no console
error. Screenshots are saved beside each test's output (tmp_path).
"""
import io
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import sync_playwright

from builtin_course import SOLUTIONS, write_mutant
from grader.judge.engine import grade_submission
from grader.reports import pictures, render

HERE = Path(__file__).parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
MARK = tuple(int(pictures.MARK[i:i + 2], 16) for i in (1, 3, 5))


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A persistent Chromium context with a fresh profile (--user-data-dir)."""
    assert Path(CHROMIUM).is_file(), "the browser tests need Debian's chromium: apt-get install -y chromium"
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1200, "height": 900}, device_scale_factor=1)
        yield context
        context.close()


def open_page(browser, path: Path):
    """Open ``path``; return the page and the list its console errors and page errors go to."""
    page = browser.new_page()
    problems = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems


def screenshot(page, path: Path) -> Image.Image:
    page.screenshot(path=str(path), full_page=True)
    return Image.open(path).convert("RGB")


def near(colour, target, slack=40) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(colour, target))


def colours_in(image: Image.Image, box) -> set:
    x, y, w, h = (int(round(v)) for v in box)
    return {colour for _, colour in image.crop((x, y, x + w, y + h)).getcolors(maxcolors=1 << 24)}


BOXES = """els => els.map(e => { const r = e.getBoundingClientRect();
  return [r.x + window.scrollX, r.y + window.scrollY, r.width, r.height]; })"""


@pytest.fixture(scope="module")
def buggy_html(tmp_path_factory):
    """The student report of a submission with a transposed kernel gradient and a missing ReLU mask."""
    folder = tmp_path_factory.mktemp("buggy")
    for module in SOLUTIONS.glob("*.py"):
        shutil.copy(module, folder)
    write_mutant(folder, "Convolution/dW_reshaped_without_transpose")
    write_mutant(folder, "Relu/no_mask")
    report = grade_submission(folder, seed=11)
    path = folder / "report.html"
    path.write_text(render(report, "html"), encoding="utf-8")
    return report, path


def test_student_report_pictures_render_with_the_wrong_entries_marked(browser, buggy_html, tmp_path):
    report, path = buggy_html
    page, problems = open_page(browser, path)
    image = screenshot(page, tmp_path / "student-report.png")
    failed = [t for t in report["tests"] if t["status"] != "passed" and t.get("arrays")]
    assert failed
    figures = page.eval_on_selector_all("div.figure", "els => els.length")
    assert figures == len(failed)
    for box in page.eval_on_selector_all("svg.heatmap", BOXES):
        assert len(colours_in(image, box)) > 3, f"a blank picture at {box}"
    for role in ("expected", "got", "difference"):
        assert page.eval_on_selector_all(f"svg.heatmap[data-role={role}]", "els => els.length") == len(failed)
    # Each test's outlined entries are exactly its wrong entries, and the outline shows in the screenshot.
    for test, figure in zip(failed, page.query_selector_all("div.failure:has(div.figure)")):
        wrong = test["arrays"]["wrong"]
        stated = re.search(r"\((\d+) of (\d+) entries wrong", test["message"])
        assert stated and int(stated.group(1)) == len(wrong), test["message"]
        marked = figure.eval_on_selector_all("svg[data-role=got] rect.wrong", "els => els.map(e => e.dataset.index)")
        assert sorted(marked) == sorted(",".join(str(i) for i in index) for index in wrong)
        got, expected = np.array(test["arrays"]["got"]), np.array(test["arrays"]["expected"])
        assert all(got[tuple(i)] != expected[tuple(i)] for i in wrong)
        for x, y, w, h in figure.eval_on_selector_all("svg[data-role=got] rect.wrong", BOXES):
            edge = image.getpixel((int(x + 0.5), int(y + h / 2)))
            assert near(edge, MARK), f"no outline at ({x}, {y}) in {test['name']}: {edge}"
        assert figure.eval_on_selector_all("svg[data-role=expected] rect.wrong", "els => els.length") == 0
        assert figure.eval_on_selector_all(".diagnosis", "els => els.map(e => e.dataset.code)") == \
            [test["diagnosis"]["code"]]
    assert not problems, problems


def test_a_kernel_is_drawn_as_a_grid_of_filter_and_channel_images(browser, buggy_html, tmp_path):
    report, path = buggy_html
    kernel = next(t for t in report["tests"] if t.get("arrays") and len(t["arrays"]["shape"]) == 4
                  and t["diagnosis"]["array"] == "dW")
    filters, channels, height, width = kernel["arrays"]["shape"]
    page, problems = open_page(browser, path)
    figure = page.query_selector(f"#t-{kernel['name'].replace('/', '-')}")
    figure.screenshot(path=str(tmp_path / "kernel.png"))
    frames = figure.eval_on_selector_all("svg[data-role=expected] rect[stroke='#999']", BOXES)
    assert len(frames) == filters * channels
    rows = sorted({round(y) for _, y, _, _ in frames})
    columns = sorted({round(x) for x, _, _, _ in frames})
    assert (len(rows), len(columns)) == (filters, channels)
    assert not problems, problems


def test_class_report_renders_and_links_to_student_reports(browser, graded_class, tmp_path):
    out, _ = graded_class
    page, problems = open_page(browser, out / "class-report.html")
    image = screenshot(page, tmp_path / "class-report.png")
    (box,) = page.eval_on_selector_all("svg.histogram", BOXES)
    bar_colour = (0x3B, 0x6F, 0xB6)
    assert any(near(c, bar_colour, 6) for c in colours_in(image, box)), "no bars drawn"
    bars = page.eval_on_selector_all("svg.histogram rect.bar", BOXES)
    counts = page.eval_on_selector_all("svg.histogram rect.bar", "els => els.map(e => +e.dataset.count)")
    tallest = max(range(len(counts)), key=counts.__getitem__)
    x, y, w, h = bars[tallest]
    assert h > 50 and near(image.getpixel((int(x + w / 2), int(y + h / 2))), bar_colour, 6)
    assert page.eval_on_selector_all("table.diagnoses tr[data-code]", "els => els.length") > 5
    page.click("#student-table a >> text=s11")
    page.wait_for_load_state("load")
    assert page.url.endswith("/students/s11.html")
    student = screenshot(page, tmp_path / "s11.png")
    heatmaps = page.eval_on_selector_all("svg.heatmap", BOXES)
    assert heatmaps and all(len(colours_in(student, b)) > 3 for b in heatmaps)
    assert page.eval_on_selector_all(".diagnosis", "els => els.map(e => e.dataset.code)")[0] == "missing_batch_sum"
    assert not problems, problems
