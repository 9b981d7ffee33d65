"""``python -m grader.lang extract|compile``: catalogue upkeep (``grader.platforms.catalogues``, Babel needed)."""
from grader.platforms.catalogues import main

main()
