"""The sentences the child writes, marked for the catalogue and translated when the judge receives them.

The child runs no code of the grader's (it cannot read the catalogues), so
it writes these in English; the judge matches each note or detail against
these templates and words it in the report's language
(:func:`grader.lang.translate_known`). The templates must follow the child's
f-strings in ``child/cells.py``, ``child/session.py``, ``child/calls.py`` and ``child/standin.py`` word for word; a sentence that
matches none stays as the child wrote it.
"""
from grader.lang import N_, translate_known

TEMPLATES = (
    # cells.py: a cell that raised (before the label alone, which would match the whole sentence)
    N_("{label}, line {line}: {text} raised {type}: {message}"),
    N_("{label}, line {line}: {text} raised {type}"),
    N_("{label}, line {line} raised {type}: {message}"),
    N_("{label}, line {line} raised {type}"),
    N_("{label} raised {type}: {message}"),
    N_("{label} raised {type}"),
    N_("{label} was not run: it defines nothing graded and comes after the graded classes, so grading does "
       "not need it."),
    N_("{label} stopped after {limit} s, the time limit: look for a loop that never ends or a long computation "
       "at the top level of the cell."),
    N_("{label} stopped after {limit} s: it defines nothing graded and comes after the graded classes."),
    N_("{label} stopped after {limit} s: it defines nothing graded."),
    N_("{label} was not run: it is a %%{magic} cell, which only Jupyter can run."),
    N_("{label} was not run: it is not valid Python 3 (it looks like Python 2) ({error})."),
    N_("{label} was not run: it is not valid Python 3 ({error})."),
    N_("{label} was not run: it cannot be compiled ({error})."),
    N_("{label} called sys.exit({code}); the next cells were still run, as Jupyter does."),
    N_("{file}: skipped {count} IPython-only lines (magics, shell commands): {listed}."),
    N_("{file}: skipped {count} IPython-only line (magics, shell commands): {listed}."),
    N_("{file}, cell {number} (In [{count}])"),
    N_("{file}, cell {number}"),
    N_("nothing was returned; is a return statement missing?"),
    N_("a subclass of numpy.ndarray; return a plain array, for example np.asarray(result)"),
    N_("an array with {count} dimensions; at most {limit} are accepted"),
    N_("an array of dtype {dtype}; only bool, integer and float arrays are accepted"),
    N_("complex numbers are not accepted"),
    N_("nested too deeply"),
    N_("not a numpy array; return a numpy array, for example np.asarray(result)"),
    N_("only numbers, numpy arrays and tuples of them are accepted"),
    N_("too large to send back ({size} MB of arrays; the limit is {limit} MB)"),
    # child/calls.py: what the grader's stand-in for a student's function (numerical_gradient) raises
    N_("{name} was the grader's own only while {function} ran: it answers nothing after that"),
    N_("{name} is the grader's own during this test: {key} is not a name it takes"),
    N_("{name} is the grader's own during this test: it answers only for the function {function} was given, "
       "not for {what}; pass that f on as it is"),
    N_("{name} is the grader's own during this test: it takes the function {function} was given, numbers and "
       "numpy arrays, not {what}"),
    N_("the grader's {name} could not answer: {error}"),
    # standin.py: what using a module the grader does not provide raises
    N_("{path} cannot be {action}: {reason}"),
    N_("used"),
    N_("iterated over"),
    N_("a base class"),
    N_("indexed"),
    N_("measured"),
    N_("used as an array"),
    N_("used as a number"),
    N_("used in a with statement"),
    N_("used with {symbol}"),
    N_("{module} is a file of the book's code, which the grader does not provide (common.layers holds the "
       "answers): write what you use yourself; common.util and common.functions are provided"),
    N_("{module} loads a data set, and there are no data sets while grading: only your classes are graded"),
    N_("{module} draws on a screen, and there is no screen while grading"),
    N_("{module} is not available while grading (plots, progress bars, notebooks and data tools are not needed)"),
    N_("{module} cannot be loaded inside the grader's sandbox (the assignments do not need it)"),
    N_("{module} is not available while grading: use numpy"),
    N_("{module} is not installed for grading: use numpy and the standard library"),
)



def translate(text: str) -> str:
    """A note or detail from the child, in the report's language."""
    return translate_known(text, TEMPLATES)
