"""Affine layer écrit en Latin-1."""
import numpy as np

# résultat
