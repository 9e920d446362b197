"""Relevance: sixty queries a teacher types, each with the titles that must come first."""

from mediathek.demo import load_demo
from mediathek.search.models import SearchParams
from mediathek.search.services import forget_vocabulary, search
from tests.search.judged import figures, judge, judged_queries


async def first_titles(q: str) -> list[str]:
    forget_vocabulary()
    result = await search(SearchParams.parse(q=q))
    return [hit.title for hit in result.hits[:10]]


async def test_the_judged_set_is_big_and_varied():
    queries = judged_queries()
    assert len(queries) >= 40
    kinds = " ".join(q.get("kind", "") for q in queries)
    for kind in ("compound", "umlaut", "typo", "ISBN", "age word", "media type"):
        assert kind in kinds, kind


async def test_every_judged_title_is_among_the_first_ten_hits(db, settings):
    await load_demo(settings)
    judgements = await judge(first_titles)
    failures = {j.q: (j.missing, j.found) for j in judgements if j.missing}
    assert failures == {}
    recall, mrr = figures(judgements)
    assert recall == 1.0
    assert mrr >= 0.8
