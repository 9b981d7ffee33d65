"""A class of 30 with known mistakes, built from the solutions, the mutants, two attacks and two
numerical backwards.

Used by the class report tests and the browser tests: every student is a
folder in ``submissions``; ``MISTAKES`` says who has which bug.
"""
import shutil
from pathlib import Path

from builtin_course import SOLUTIONS, write_mutant
from finite_differences import backward_source
from numgrad import ASSIGNMENT_OF

HERE = Path(__file__).parent
STUBS = HERE.parent / "assignments"
MODULES = sorted(set(ASSIGNMENT_OF.values()))

# student -> mutant (layer/name); students not listed hand in the solutions
MISTAKES = {
    "s11": "Affine/db_mean", "s12": "Affine/db_mean", "s13": "Affine/db_mean",
    "s14": "SoftmaxWithLoss/no_batch_division", "s15": "SoftmaxWithLoss/no_batch_division",
    "s16": "Relu/no_mask", "s17": "Relu/no_mask",
    "s18": "Convolution/dW_reshaped_without_transpose", "s19": "Convolution/dW_reshaped_without_transpose",
    "s20": "MulLayer/forgets_dout", "s21": "MulLayer/forgets_dout",
    "s22": "AddLayer/dy_negated", "s23": "Pooling/no_transpose", "s24": "Affine/dW_transposed",
    "s25": "Convolution/pad_not_removed", "s26": "Sigmoid/missing_one_minus_out", "s27": "MulLayer/returns_only_dx",
}
# student -> (layer, route): the solutions with that layer's backward taken by finite differences
NUMERICAL = {"s09": ("Relu", "self"), "s10": ("Affine", "class")}
STUB_STUDENT = "s28"  # hands in the stubs: nothing implemented
HANGING_STUDENT = "s29"  # MulLayer.forward never returns: timeouts
CRASHING_STUDENT = "s30"  # Affine.forward dereferences a null pointer: crashes
STUDENTS = [f"s{i:02d}" for i in range(1, 31)]


def build_class(folder: Path) -> Path:
    """Write the 30 submissions under ``folder``; return it."""
    for student in STUDENTS:
        target = folder / student
        target.mkdir(parents=True)
        for module in MODULES:
            shutil.copy(SOLUTIONS / f"{module}.py", target / f"{module}.py")
        if student in MISTAKES:
            write_mutant(target, MISTAKES[student])
        elif student in NUMERICAL:
            layer, route = NUMERICAL[student]
            module = target / f"{ASSIGNMENT_OF[layer]}.py"
            module.write_text(module.read_text() + backward_source(layer, route))
        elif student == STUB_STUDENT:
            for module in MODULES:
                shutil.copy(STUBS / f"{module}.py", target / f"{module}.py")
        elif student == HANGING_STUDENT:
            _append(target / "gates.py", HERE / "adversarial" / "infinite_loop" / "gates.patch.py")
        elif student == CRASHING_STUDENT:
            _append(target / "affine_softmax.py", HERE / "adversarial" / "segfault" / "affine_softmax.patch.py")
    return folder


def _append(module: Path, patch: Path) -> None:
    module.write_text(module.read_text() + "\n\n" + patch.read_text())
