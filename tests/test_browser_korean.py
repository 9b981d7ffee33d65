"""What a Korean student and an instructor see in Chromium: every Hangul glyph drawn from a Korean font,
pictures with their values, wrong entries outlined in a colour that does not read as right, a wrong shape
drawn, no label cut; the class report's labels inside their bars, layers in course order, names whole.

Fonts: Chromium says which platform font drew each element's text (the DevTools protocol's
``CSS.getPlatformFontsForNode``), fontconfig which fonts have every Hangul letter of the page; every
Hangul glyph must come from one of those (no boxes). Screenshots go to each test's ``tmp_path``.
"""
import re
import shutil
import subprocess

import numpy as np
import pytest

from builtin_course import SOLUTIONS, write_mutant
from grader.judge.course import BUILTIN, load
from grader.judge.engine import grade_submission
from grader.lang import speaking
from grader.reports import classroom, pictures, render
from test_browser import BOXES, browser, colours_in, near, open_page, screenshot  # noqa: F401  (a fixture)

HANGUL = re.compile("[\uac00-\ud7a3]")
KOREAN_NAMES = ["김민준", "이서연", "박지호", "최수아", "정예준", "강하은", "조도윤", "윤서윤", "장시우", "임지유",
                "한주원", "오하린", "서건우", "신채원", "권민서", "황유준", "안서진", "송지안", "전은우", "홍다은",
                "유하준", "고서아", "문지훈", "양수빈", "손예린", "배현우", "백지민", "허윤호", "남궁소연", "제갈민재"]
MARKED = """() => { let n = 0; for (const e of document.querySelectorAll('body *')) {
  const own = [...e.childNodes].filter(c => c.nodeType === 3).map(c => c.textContent).join('');
  const count = (own.match(/[\\uac00-\\ud7a3]/g) || []).length;
  if (count && e.getClientRects().length && !e.closest('title')) { e.dataset.hangul = count; n++; } }
  return n; }"""


def korean_families(letters: set) -> set:
    """The font families fontconfig has that hold every one of ``letters``."""
    charset = " ".join(f"{ord(c):x}" for c in sorted(letters))
    listed = subprocess.run(["fc-list", f":charset={charset}", "family"], capture_output=True, text=True,
                            check=True).stdout
    return {name.strip().lower() for line in listed.splitlines() for name in line.split(",") if name.strip()}


def assert_every_hangul_glyph_has_a_korean_font(page):
    marked = page.evaluate(MARKED)
    assert marked > 5, "no Korean text on the page"
    letters = set(HANGUL.findall(page.evaluate("document.body.innerText")))
    families = korean_families(letters)
    assert families, f"no installed font has all of {len(letters)} Hangul letters: apt-get install fonts-nanum"
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-hangul]"})["nodeIds"]
    assert len(nodes) == marked
    for node in nodes:
        attributes = cdp.send("DOM.getAttributes", {"nodeId": node})["attributes"]
        wanted = int(attributes[attributes.index("data-hangul") + 1])
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        korean = sum(f["glyphCount"] for f in fonts
                     if f["familyName"].lower() in families or f.get("postScriptName", "").lower() in families)
        assert korean >= wanted, (wanted, fonts, sorted(families)[:5])


@pytest.fixture(scope="module")
def korean_report(tmp_path_factory):
    """A Korean student report: a transposed kernel gradient, a Relu without its mask, an Affine whose
    db is averaged (every entry wrong) and whose dW has the wrong shape."""
    folder = tmp_path_factory.mktemp("korean")
    for module in SOLUTIONS.glob("*.py"):
        shutil.copy(module, folder)
    write_mutant(folder, "Convolution/dW_reshaped_without_transpose")
    write_mutant(folder, "Relu/no_mask")
    (folder / "gates.py").write_text((folder / "gates.py").read_text() + WRONG_SHAPE_AND_ALL_WRONG)
    with speaking("ko", BUILTIN / "locale"):
        report = grade_submission(folder, seed=11)
        path = folder / "report.html"
        path.write_text(render(report, "html"), encoding="utf-8")
    return report, path


WRONG_SHAPE_AND_ALL_WRONG = """

class AddLayer(AddLayer):
    def backward(self, dout):
        return dout * 2, dout * 2


class MulLayer(MulLayer):
    def backward(self, dout):
        import numpy as np
        return np.atleast_1d(dout * self.y)[None], dout * self.x
"""


def test_a_korean_student_report_has_a_korean_font_for_every_glyph(browser, korean_report, tmp_path):
    _, path = korean_report
    page, problems = open_page(browser, path)
    screenshot(page, tmp_path / "korean-student-report.png")
    assert_every_hangul_glyph_has_a_korean_font(page)
    stack = page.eval_on_selector(".grade-report", "e => getComputedStyle(e).fontFamily")
    for family in ("Malgun Gothic", "Apple SD Gothic Neo", "Noto Sans KR"):
        assert family in stack, stack
    assert not problems, problems


def test_pictures_show_values_outline_wrong_entries_in_a_colour_that_is_not_green(browser, korean_report, tmp_path):
    report, path = korean_report
    page, problems = open_page(browser, path)
    image = screenshot(page, tmp_path / "pictures.png")
    assert not near(tuple(int(pictures.MARK[i:i + 2], 16) for i in (1, 3, 5)), (0, 200, 0), 120)
    for test in (t for t in report["tests"] if t.get("arrays")):
        figure = page.query_selector(f"#t-{test['name'].replace('/', '-')}")
        expected = np.array(test["arrays"]["expected"], dtype=float).ravel()
        shown = figure.eval_on_selector_all("svg[data-role=expected] text.value", "els => els.map(e => e.textContent)")
        tips = figure.eval_on_selector_all("svg[data-role=expected] rect > title", "els => els.map(e => e.textContent)")
        if expected.size <= pictures.VALUES_SHOWN:
            assert [float(v) for v in shown] == pytest.approx(list(expected), rel=1e-2, abs=1e-9)
        else:
            assert shown == [] and len(tips) == expected.size
            assert [float(t.split("] ")[1]) for t in tips] == pytest.approx(list(expected), rel=1e-2, abs=1e-9)
        for x, y, w, h in figure.eval_on_selector_all("svg[data-role=got] rect.wrong", BOXES):
            assert near(image.getpixel((int(x + 0.5), int(y + h / 2))), (0, 0, 0), 60)
        for svg in figure.query_selector_all("svg.heatmap"):  # no label cut at the picture's edge
            x, label, width = svg.evaluate("s => { const b = s.querySelector('text').getBBox(); "
                                           "return [b.x, b.width, s.width.baseVal.value]; }")
            assert label > 20 and x + label <= width, (test["name"], x, label, width)
    assert not problems, problems


def test_every_entry_wrong_is_said_not_outlined_and_a_wrong_shape_is_drawn(browser, korean_report, tmp_path):
    report, path = korean_report
    page, problems = open_page(browser, path)
    everything = next(t for t in report["tests"] if t.get("arrays") and pictures.every_entry_wrong(t["arrays"]))
    figure = page.query_selector(f"#t-{everything['name'].replace('/', '-')}")
    assert figure.eval_on_selector_all("rect.wrong", "els => els.length") == 0
    assert "모든 원소가 틀려" in figure.inner_text()
    shaped = next(t for t in report["tests"] if t["status"] == "failed" and not t.get("arrays")
                  and (t.get("diagnosis") or {}).get("params", {}).get("expected_shape"))
    figure = page.query_selector(f"#t-{shaped['name'].replace('/', '-')}")
    figure.screenshot(path=str(tmp_path / "wrong-shape.png"))
    params = shaped["diagnosis"]["params"]
    for role, shape in (("expected-shape", params["expected_shape"]), ("got-shape", params["got_shape"])):
        cells = figure.eval_on_selector_all(f"svg[data-role={role}] rect[fill='#eeeeee']", "els => els.length")
        assert cells == int(np.prod(shape)), (role, shape)
    assert str(tuple(params["got_shape"])) in figure.inner_text()
    assert not problems, problems


@pytest.fixture(scope="module")
def korean_class_report(graded_class, tmp_path_factory):
    """The class of 30 with Korean names, its class report in Korean."""
    out, reports = graded_class
    names = dict(zip(sorted(r["student"] for r in reports), KOREAN_NAMES))
    renamed = [{**report, "student": names[report["student"]]} for report in reports]
    with speaking("ko", BUILTIN / "locale"):
        data = classroom.figures(renamed)
        page = "".join(classroom.html_pieces(data))
    path = tmp_path_factory.mktemp("korean-class") / "class-report.html"
    path.write_text(page, encoding="utf-8")
    return data, path


def test_the_class_report_keeps_labels_in_their_bars_layers_in_course_order_and_names_whole(
        browser, korean_class_report, tmp_path):
    data, path = korean_class_report
    page, problems = open_page(browser, path)
    page.set_viewport_size({"width": 760, "height": 900})
    screenshot(page, tmp_path / "korean-class-report.png")
    assert_every_hangul_glyph_has_a_korean_font(page)
    for bar, label in page.eval_on_selector_all(
            ".rate", "els => els.map(e => [e.getBoundingClientRect(), e.querySelector('.label').getBoundingClientRect()])"):
        assert bar["left"] <= label["left"] and label["right"] <= bar["right"] + 0.5, (bar, label)
        assert bar["top"] <= label["top"] and label["bottom"] <= bar["bottom"] + 0.5, (bar, label)
    assert page.eval_on_selector_all(".rate", "els => els.filter(e => e.scrollWidth > e.clientWidth).length") == 0
    broken = page.eval_on_selector_all("td.students > a", "els => els.filter(e => e.getClientRects().length > 1)"
                                                 ".map(e => e.textContent)")
    assert broken == []
    assert page.eval_on_selector_all("td.students > a", "els => els.length") > 30
    course = load(BUILTIN)
    order = [f"{a.name} / {layer}" for a in course.assignments for layer in a.graded]
    shown = page.eval_on_selector_all("#diagnoses ~ h3", "els => els.map(e => e.textContent)")
    assert shown and shown == [layer for layer in order if layer in shown]
    full = page.eval_on_selector_all("#assignment-table td[data-count]", "els => els.map(e => e.textContent)")
    assert full == [f"{a['students']}명 중 {a['full_marks']}명" for a in data["assignments"]]
    assert page.eval_on_selector_all("#assignment-table th", "els => els[1].textContent") == "만점"
    assert not problems, problems
