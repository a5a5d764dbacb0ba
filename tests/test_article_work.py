"""What counts as article work, as a pure function of what both sources report (issue 13)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.metrics.compute import event_figures
from bot.metrics.definitions import Contribution, CreatedArticle, EventWindow, Participant

START = datetime(2027, 4, 20, 9, 0, tzinfo=UTC)
WINDOW = EventWindow("yowiki", START, START + timedelta(hours=6))
PEOPLE = [Participant("Ada"), Participant("Bola", new_editor=True)]


def edit(revid, user, title, size_diff, *, new=False, namespace=0, **flags) -> Contribution:
    return Contribution(
        user=user,
        revid=revid,
        page_id=hash(title) % 10_000,
        namespace=namespace,
        title=title,
        timestamp=START + timedelta(minutes=revid),
        size_diff=size_diff,
        new_page=new,
        **flags,
    )


def test_bookkeeping_pages_and_redirects_are_edits_but_not_article_work():
    contributions = [
        edit(1, "Ada", "Lagos event", 40),  # signing up on the event page (ns 0)
        edit(2, "Bola", "Lagos worklist", 35),  # a claim on the worklist page (ns 0)
        edit(3, "Ada", "Ọjà Ọba", 900, new=True),  # an article
        edit(4, "Ada", "Oja Oba", 30, new=True, made_redirect=True, redirect=True),  # a shortcut
        edit(5, "Bola", "Old name", 28, new=True, made_redirect=True, redirect=True),  # a move's
        edit(6, "Bola", "Ìbàdàn", 25, new=True, made_redirect=True),  # a redirect first ...
        edit(7, "Bola", "Ìbàdàn", 400),  # ... then written out: improved
        edit(8, "Ada", "Merged", 50, redirect=True),  # an article turned into a redirect since
        edit(9, "Ada", "Talk:Ọjà Ọba", 60, namespace=1),
    ]
    result = event_figures(
        PEOPLE,
        WINDOW,
        contributions,
        [CreatedArticle("yowiki", 77, "Lagos event", "Ada", START)],  # a deleted event page
        bookkeeping={"Lagos event", "Lagos worklist"},
    )
    figures = result.figures
    assert figures.edits == 9
    assert figures.articles_created == 1 and [a.title for a in result.created] == ["Ọjà Ọba"]
    assert figures.articles_improved == 1  # Ìbàdàn
    assert figures.bytes_added == 900 + 400
    assert figures.articles_deleted == 0
    by_user = {p.user: p for p in result.per_participant}
    assert (by_user["Bola"].edits, by_user["Bola"].articles_improved) == (4, 1)
    assert by_user["Bola"].bytes_added == 400


def test_without_bookkeeping_titles_an_event_page_in_ns0_would_be_article_work():
    """The same sign-up counts as an improved article when the page is not known as ours."""
    sign_up = [edit(1, "Ada", "Lagos event", 40)]
    assert event_figures(PEOPLE, WINDOW, sign_up).figures.articles_improved == 1
    known = event_figures(PEOPLE, WINDOW, sign_up, bookkeeping={"Lagos event"}).figures
    assert (known.edits, known.articles_improved, known.bytes_added) == (1, 0, 0)
