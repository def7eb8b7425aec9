"""Refusals of the pages, shown as a page (the API's handlers answer JSON, which a person in a
browser should not be handed)."""

from __future__ import annotations


class PageError(Exception):
    """A page refused: its HTTP status (403, 404) and what to tell the person."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
