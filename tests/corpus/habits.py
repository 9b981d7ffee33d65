"""The corpus: one correct submission per real-world habit.

Each function writes its files into ``folder`` and returns a :class:`Habit`:
what to give ``grade --submission``, the classes it holds, and, for the
habits that really use something the grader does not provide, the class that
must lose its points and the message it must get.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import bugged, code, module, notebook

GATES = ("MulLayer", "AddLayer")
ACTIVATIONS = ("Relu", "Sigmoid")
AFFINE_SOFTMAX = ("Affine", "SoftmaxWithLoss")
CONV_POOL = ("Convolution", "Pooling")
AFFINE_HELPERS = ("softmax", "cross_entropy_error")
CONV_HELPERS = ("conv_output_size", "im2col", "col2im")
EVERYTHING = GATES + ACTIVATIONS + AFFINE_HELPERS + AFFINE_SOFTMAX + CONV_HELPERS + CONV_POOL


@dataclass
class Habit:
    submit: Path
    classes: tuple[str, ...]
    loses: dict = field(default_factory=dict)  # class -> regex its message must match (it really uses a stand-in)
    notes: tuple[str, ...] = ()  # regexes some report note must match
    sources: dict = field(default_factory=dict)  # class -> (file, cell) it must be graded from


def _write(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


# -- imports the grader does not provide ------------------------------------------

STRAY_IMPORTS = {
    "matplotlib": "import matplotlib.pyplot as plt",
    "tqdm": "from tqdm import tqdm",
    "cupy": "import cupy as cp",
    "turtle": "from turtle import forward",
    "keras": "from keras.datasets import mnist",
    "torchvision": "import torchvision\nfrom torchvision import datasets, transforms",
    "google.colab": "from google.colab import drive",
    "import_ipynb": "import import_ipynb",
    "dataset.mnist": "import sys, os\nsys.path.append(os.pardir)\nfrom dataset.mnist import load_mnist",
    "common.layers": "from common.layers import Relu, Affine",
    "common.functions": "import sys, os\nsys.path.append(os.pardir)\nfrom common.functions import *\nfrom common.util import im2col",
    "numpy.testing": "import numpy.testing as npt",
    "scipy": "from scipy import signal",
    "star": "from common.layers import *\nfrom common.trainer import Trainer",
}


def stray_import(folder: Path, name: str) -> Habit:
    header = f"import numpy as np\n{STRAY_IMPORTS[name]}\n"
    return Habit(_write(folder / "gates.py", module(*GATES, header=header)), GATES)


def uses_a_missing_module(folder: Path) -> Habit:
    """Sigmoid really uses cupy; Relu in the same file must still get full marks."""
    sigmoid = code("Sigmoid").replace("out = 1 / (1 + np.exp(-x))", "out = 1 / (1 + cp.exp(-x))  # GPU로 계산")
    assert "cp.exp" in sigmoid
    text = "import numpy as np\nimport cupy as cp\n\n\n" + code("Relu") + "\n\n" + sigmoid
    return Habit(_write(folder / "activations.py", text), ACTIVATIONS,
                 loses={"Sigmoid": r"Sigmoid\.forward raised NotAvailableError: cupy\.exp cannot be used: cupy is not "
                                   r"available while grading: use numpy \(activations\.py, line \d+\)"})


# -- how the file is written --------------------------------------------------------------

def korean_comments(folder: Path) -> Habit:
    text = module(*GATES)
    for line, comment in (("dx = dout * self.", "x의 기울기는 y를 곱한다"), ("dy = dout * self.", "y의 기울기는 x를 곱한다"),
                          ("dx = dout * 1", "덧셈 노드는 그대로 흘려보낸다")):
        text = re.sub(rf"^(\s*{re.escape(line)}.*)$", rf"\1  # {comment}", text, count=1, flags=re.M)
    return Habit(_write(folder / "gates.py", "# 곱셈 계층과 덧셈 계층 (5장)\n" + text), GATES)


def encoded(folder: Path, encoding: str, newline: str = "\n") -> Habit:
    text = "# 활성화 함수 계층: 역전파 구현\n" + re.sub(
        r"^(\s*dx = np\.where.*)$", r"\1  # 음수였던 곳은 기울기 0", module(*ACTIVATIONS), count=1, flags=re.M)
    return Habit(_write(folder / "activations.py", text, encoding, newline), ACTIVATIONS)


# -- near-miss names ----------------------------------------------------------------------------

NEAR_MISSES = {"case": "Gates.py", "browser_copy": "gates (1).py", "prefixed": "my_gates.py",
               "txt": "gates.py.txt", "sub_folder": "hw1/gates.py"}


def near_miss(folder: Path, kind: str) -> Habit:
    name = NEAR_MISSES[kind]
    _write(folder / name, module(*GATES))
    _write(folder / "activations.py", module(*ACTIVATIONS))
    return Habit(folder, GATES + ACTIVATIONS, notes=(rf"graded {name.replace('(', '[(]').replace(')', '[)]')}",),
                 sources={"MulLayer": (name, None)})


# -- notebooks ------------------------------------------------------------------------------------

def notebook_with_extras(folder: Path) -> Habit:
    """Plots, timing, a self-test, shell lines and magics around the answers."""
    text = notebook(
        ("markdown", "# 활성화 함수 계층"),
        "%matplotlib inline\n!pip install tqdm\nimport numpy as np\nimport matplotlib.pyplot as plt\nfrom tqdm import tqdm",
        code("Relu"),
        code("Sigmoid"),
        "x = np.linspace(-5, 5, 100)\nplt.plot(x, Sigmoid().forward(x))\nplt.title('시그모이드')\nplt.show()",
        "%%time\nfor _ in tqdm(range(1000)):\n    Relu().forward(np.random.randn(10))",
        "%timeit Sigmoid().forward(np.random.randn(100))",
        "# 자체 테스트\nr = Relu()\nassert np.allclose(r.backward(np.ones(3)), 0), '아직 forward를 부르지 않았다'",
    )
    _write(folder / "activations.ipynb", text)
    return Habit(folder / "activations.ipynb", ACTIVATIONS,
                 notes=(r"skipped \d+ IPython-only lines", r"cell 4 \(In \[4\]\), line 2: plt\.plot",
                        r"cell 5 \(In \[5\]\), line 2: for _ in tqdm",
                        r"cell 7 \(In \[7\]\), line 3: assert np\.allclose"),
                 sources={"Relu": ("activations.ipynb", 2), "Sigmoid": ("activations.ipynb", 3)})


def chapter_notebook(folder: Path) -> Habit:
    """ch05.ipynb: three assignments' classes, as the book's chapter 5 has them."""
    text = notebook(
        ("markdown", "# 5장 오차역전파법"),
        "import sys, os\nsys.path.append(os.pardir)\nimport numpy as np\nfrom common.functions import *",
        code("MulLayer"),
        "apple, apple_num, tax = 100, 2, 1.1\nmul_apple_layer = MulLayer()\nmul_tax_layer = MulLayer()\n"
        "apple_price = mul_apple_layer.forward(apple, apple_num)\nprice = mul_tax_layer.forward(apple_price, tax)\n"
        "print(price)",
        code("AddLayer"),
        code("Relu") + "\n\n" + code("Sigmoid"),
        code("Affine"),
        code("SoftmaxWithLoss"),
    )
    _write(folder / "ch05.ipynb", text)
    return Habit(folder / "ch05.ipynb", GATES + ACTIVATIONS + AFFINE_SOFTMAX,
                 sources={"MulLayer": ("ch05.ipynb", 2), "AddLayer": ("ch05.ipynb", 4), "Affine": ("ch05.ipynb", 6),
                          "SoftmaxWithLoss": ("ch05.ipynb", 7)})


def colab_notebook(folder: Path) -> Habit:
    text = notebook(
        "from google.colab import drive\ndrive.mount('/content/drive')",
        "cd /content/drive/MyDrive/deep-learning-from-scratch/ch05",
        "ls -l",
        "pwd",
        "pip install tqdm",
        "import numpy as np",
        code("MulLayer") + "\n\n" + code("AddLayer"),
        colab=True,
    )
    _write(folder / "Copy of gates.ipynb", text)
    return Habit(folder / "Copy of gates.ipynb", GATES,
                 notes=(r"cell 1 \(In \[1\]\), line 2: drive\.mount\('/content/drive'\) raised NotAvailableError",
                        r"skipped 4 IPython-only lines.*cell 2 \(In \[2\]\), line 1: cd /content/drive"))


def sibling_imports(folder: Path) -> Habit:
    """A notebook that imports a .py next to it and, through import_ipynb, a notebook next to it."""
    _write(folder / "layer_naive.py", module(*GATES))
    _write(folder / "activation_layers.ipynb", notebook("import numpy as np", code("Relu"), code("Sigmoid")))
    text = notebook(
        "import numpy as np\nimport import_ipynb\nfrom layer_naive import *\nfrom activation_layers import Relu, Sigmoid",
        "apple = MulLayer()\nprint(apple.forward(100, 2))",
        "from common.functions import softmax, cross_entropy_error\n" + code("Affine") + "\n\n" + code("SoftmaxWithLoss"),
    )
    _write(folder / "ch05_main.ipynb", text)
    return Habit(folder / "ch05_main.ipynb", GATES + ACTIVATIONS + AFFINE_SOFTMAX,
                 sources={"MulLayer": ("layer_naive.py", None), "Relu": ("activation_layers.ipynb", 2),
                          "Affine": ("ch05_main.ipynb", 3)})


TRAINING_CELL = """
# 2층 신경망 학습 (가짜 데이터 세트: MNIST 대신 무작위 수)
rng = np.random.default_rng(0)
x_train = rng.standard_normal((1000, 20))
t_train = np.eye(4)[rng.integers(0, 4, 1000)]
W1, b1 = 0.01 * rng.standard_normal((20, 16)), np.zeros(16)
W2, b2 = 0.01 * rng.standard_normal((16, 4)), np.zeros(4)
layers = [Affine(W1, b1), Relu(), Affine(W2, b2)]
last = SoftmaxWithLoss()
iters_num, batch_size, learning_rate = 10000, 100, 0.1
train_loss_list = []
for i in range(iters_num):
    batch = rng.choice(1000, batch_size)
    x = x_train[batch]
    for layer in layers:
        x = layer.forward(x)
    train_loss_list.append(last.forward(x, t_train[batch]))
    dout = last.backward()
    for layer in reversed(layers):
        dout = layer.backward(dout)
    for layer in (layers[0], layers[2]):
        layer.W -= learning_rate * layer.dW
        layer.b -= learning_rate * layer.db
print(train_loss_list[-1])
"""


def training_notebook(folder: Path) -> Habit:
    text = notebook(
        "import numpy as np\nfrom dataset.mnist import load_mnist",
        code("Relu"),
        "from common.functions import softmax, cross_entropy_error\n" + code("Affine") + "\n\n" + code("SoftmaxWithLoss"),
        "(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)",
        TRAINING_CELL,
        "import matplotlib.pyplot as plt\nplt.plot(train_loss_list)\nplt.show()",
    )
    _write(folder / "two_layer_net.ipynb", text)
    return Habit(folder / "two_layer_net.ipynb", ("Relu",) + AFFINE_SOFTMAX,
                 notes=(r"cell 4 \(In \[4\]\), line 1: .*load_mnist.* raised NotAvailableError: dataset\.mnist\.load_mnist "
                        r"cannot be used: dataset\.mnist loads a data set",
                        r"cell 5 \(In \[5\]\) stopped after 0\.5 s: it defines nothing graded"))


def python2_cell(folder: Path) -> Habit:
    text = notebook("import numpy as np", code("MulLayer"), "print 'apple price:', MulLayer().forward(100, 2)",
                    code("AddLayer"))
    _write(folder / "gates.ipynb", text)
    return Habit(folder / "gates.ipynb", GATES,
                 notes=(r"cell 3 \(In \[3\]\) was not run: it is not valid Python 3 \(it looks like Python 2\)",))


def star_import_after(folder: Path) -> Habit:
    text = notebook(
        "import sys, os\nsys.path.append(os.pardir)\nimport numpy as np\nfrom common.functions import *",
        code("Affine"), code("SoftmaxWithLoss"),
        "# 책의 계층과 비교해 보기\nfrom common.layers import *\nfrom common.layers import Affine as BookAffine",
        "from common.layers import SoftmaxWithLoss",
    )
    _write(folder / "affine_softmax.ipynb", text)
    return Habit(folder / "affine_softmax.ipynb", AFFINE_SOFTMAX,
                 notes=(r"SoftmaxWithLoss: grading your own class; a later line replaced the name",),
                 sources={"SoftmaxWithLoss": ("affine_softmax.ipynb", 3)})


def one_layers_file(folder: Path) -> Habit:
    return Habit(_write(folder / "layers.py", module(*EVERYTHING)), GATES + ACTIVATIONS + AFFINE_SOFTMAX + CONV_POOL,
                 sources={"Convolution": ("layers.py", None)})


HABITS = {
    **{f"import_{name}": (lambda folder, name=name: stray_import(folder, name)) for name in STRAY_IMPORTS},
    "korean_comments": korean_comments,
    "crlf": lambda folder: encoded(folder, "utf-8", "\r\n"),
    "bom": lambda folder: encoded(folder, "utf-8-sig"),
    "cp949": lambda folder: encoded(folder, "cp949", "\r\n"),
    "utf16": lambda folder: encoded(folder, "utf-16"),
    **{f"near_miss_{kind}": (lambda folder, kind=kind: near_miss(folder, kind)) for kind in NEAR_MISSES},
    "notebook_with_extras": notebook_with_extras,
    "chapter_notebook": chapter_notebook,
    "colab_notebook": colab_notebook,
    "sibling_imports": sibling_imports,
    "training_notebook": training_notebook,
    "python2_cell": python2_cell,
    "star_import_after": star_import_after,
    "one_layers_file": one_layers_file,
}


def layers_file_with_a_demo(folder: Path) -> Habit:
    """One layers.py whose top level ends with the book's training demo on MNIST (not available while grading)."""
    demo = ("\n\nfrom dataset.mnist import load_mnist\n"
            "(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)\n"
            "network = [Affine(np.zeros((784, 50)), np.zeros(50)), Relu()]\n")
    text = module(*EVERYTHING) + demo
    return Habit(_write(folder / "layers.py", text), GATES + ACTIVATIONS + AFFINE_SOFTMAX + CONV_POOL,
                 notes=(r"layers\.py, line \d+: \(x_train, t_train\), \(x_test, t_test\) = load_mnist\(.*\) raised "
                        r"NotAvailableError: dataset\.mnist\.load_mnist cannot be used: .*the rest of the file was not "
                        r"run, and what it defined above that line is graded\.",))


HABITS["layers_file_with_a_demo"] = layers_file_with_a_demo


# -- how the book and marimo taught people to write and save their files ---------------------------------

MARIMO = Path(__file__).resolve().parents[1] / "marimo"
LEARNING = ("numerical_gradient", "gradient_descent", "SigmoidWithLoss")
MARIMO_NOTEBOOKS = {  # fixture -> (the classes it holds, {class: its cell}, a regex some note must match)
    "layers_setup.py": (GATES + ACTIVATIONS, {"MulLayer": 4, "AddLayer": 5, "Relu": 7, "Sigmoid": 8},
                        r"layers_setup\.py, cell 9 \(train\) stopped after 0\.5 s: it defines nothing graded"),
    "layers_in_cells.py": (AFFINE_SOFTMAX + CONV_POOL, {"Affine": 5, "SoftmaxWithLoss": 6, "Convolution": 8,
                                                         "Pooling": 9},
                           r"layers_in_cells\.py, cell 11 stopped after 0\.5 s: it defines nothing graded"),
    "older_format.py": (ACTIVATIONS + LEARNING, {"Relu": 5, "Sigmoid": 6, "numerical_gradient": 9,
                                                 "gradient_descent": 10, "SigmoidWithLoss": 11},
                        r"older_format\.py, cell 12 stopped after 0\.5 s: it defines nothing graded"),
}


def marimo_notebook(folder: Path, fixture: str) -> Habit:
    """A marimo notebook (tests/marimo), saved as marimo saves it: one .py file of cells."""
    classes, cells, note = MARIMO_NOTEBOOKS[fixture]
    path = _write(folder / fixture, bugged((MARIMO / fixture).read_text(encoding="utf-8")))
    return Habit(path, classes, notes=(r"marimo\.md cannot be used: marimo is not available while grading", note),
                 sources={name: (fixture, cell) for name, cell in cells.items()})


def backward_without_dout(folder: Path) -> Habit:
    """The last layer written as the student's own network calls it: ``def backward(self)``, no dout."""
    loss = code("SoftmaxWithLoss").replace("def backward(self, dout=1):", "def backward(self):")
    loss = loss.replace("return dx * dout", "return dx")
    assert "def backward(self):" in loss and "dout" not in loss.split("def backward", 1)[1]
    text = module("softmax", "cross_entropy_error", "Affine") + "\n\n" + loss
    return Habit(_write(folder / "affine_softmax.py", text), AFFINE_SOFTMAX,
                 notes=(r"SoftmaxWithLoss\.backward takes no dout \(def backward\(self\)\), so the tests called it "
                        r"without one",))


def bare_common_imports(folder: Path) -> Habit:
    """``sys.path.append('./common/')``, then the book's helpers imported by their bare names, inside methods too."""
    header = ("import sys, os\nsys.path.append('./common/')\nsys.path.append(os.path.join(os.pardir, 'common'))\n"
              "import numpy as np\nfrom functions import softmax, cross_entropy_error\n")
    _write(folder / "affine_softmax.py", module("Affine", "SoftmaxWithLoss", header=header))
    conv = module("conv_output_size", "Convolution", "Pooling", header=header)
    for method in ("def forward(self, x):", "def backward(self, dout):"):
        conv = conv.replace(method, f"{method}\n        from util import im2col, col2im")
    assert conv.count("from util import") == 4
    _write(folder / "conv_pool.py", conv)
    return Habit(folder, AFFINE_SOFTMAX + CONV_POOL)


def book_sigmoid_loss(folder: Path) -> Habit:
    """SigmoidWithLoss.forward written the book's way: the cross-entropy with delta = 1e-7 (chapter 4)."""
    book = ("        delta = 1e-7\n        batch_size = t.shape[0]\n"
            "        self.loss = -np.sum(t * np.log(self.y + delta) + (1 - t) * np.log(1 - self.y + delta)) / batch_size\n")
    loss = code("SigmoidWithLoss")
    assert "        self.loss = binary_cross_entropy(x, t)\n" in loss
    loss = loss.replace("        self.loss = binary_cross_entropy(x, t)\n", book)
    text = module("sigmoid", "numerical_gradient", "gradient_descent") + "\n\n" + loss
    return Habit(_write(folder / "learning.py", text), LEARNING)


HABITS.update({f"marimo_{name[:-3]}": (lambda folder, name=name: marimo_notebook(folder, name))
               for name in MARIMO_NOTEBOOKS})
HABITS.update({"backward_without_dout": backward_without_dout, "bare_common_imports": bare_common_imports,
               "book_sigmoid_loss": book_sigmoid_loss})
