"""Organizers' form submissions, written to the wiki exactly once, as the organizer.

The webservice records a submission (:mod:`.journal`) and tries it at once;
the worker retries what the wiki could not take (read-only, down, lagged). Both
use :mod:`.writer`, which computes the page's new text from its current text
(:mod:`.page_texts`) and saves it with the organizer's stored login
(:mod:`.logins`). Neither the web app nor the task queue is imported here.
"""
