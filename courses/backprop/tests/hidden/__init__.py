"""Tests kept from students until grades are published."""
