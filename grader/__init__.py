"""backprop-grader: auto-graded backpropagation exercises for numpy layers."""

__version__ = "0.1.0"
