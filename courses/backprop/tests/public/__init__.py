"""Tests students can see and run themselves."""
