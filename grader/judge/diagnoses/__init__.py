"""What a wrong answer most likely is, as data: a code, the array, and parameters.

A :class:`Diagnosis` is what the reports count and draw; the hint a student
reads is rendered from it (:func:`render`), so the words can be translated
and the class report can say "12 students: dW transposed" without parsing
prose. The vocabulary (:data:`CODES`) is small and stable; docs/diagnoses.md
describes every code and its parameters.

Detection (:func:`detect`) looks only at the expected and the returned
arrays, plus what the test's layer saw (:func:`note_forward`,
:func:`note_backward`): the input's batch size, whether the forward pass
returned a single loss, and the upstream gradient ``dout``. It knows no
layer: a whole wrong border is padding, every other row is a stride, a
mirror image is a flipped kernel, whatever layer produced it.

``codes.py`` holds the vocabulary, ``observed.py`` what the test's layer saw,
``detect.py`` the detection and ``words.py`` the wording.
"""
from grader.judge.diagnoses.codes import CODES, PICTURE_LIMIT, STATUS_CODES, Diagnosis
from grader.judge.diagnoses.detect import detect, from_shape, picture_arrays, swapped
from grader.judge.diagnoses.observed import note_backward, note_forward, note_windows, observing
from grader.judge.diagnoses.words import HINT_OFF, describe, render, silencing

__all__ = ["CODES", "PICTURE_LIMIT", "STATUS_CODES", "Diagnosis", "detect", "from_shape", "picture_arrays", "swapped",
           "note_backward", "note_forward", "note_windows", "observing", "describe", "render", "silencing", "HINT_OFF"]
