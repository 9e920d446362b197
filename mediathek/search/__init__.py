"""Catalogue search. Entry point: ``services.search(SearchParams) -> SearchResult``.

- ``catalogue_pages`` the /katalog page (HTML, HTMX); ``services`` the use case ``search``;
  ``models`` what a search asks and answers (``SearchParams``, ``SearchResult``).
- ``policy`` result rules (facet lists, labels, what to drop when nothing is found);
  ``text`` word rules (folding, stems, ISBN, typos); ``understand`` words that name filters.
- ``facets`` the in-memory facet table (filter, count, order); ``index`` keeps it per
  database, current from the change log, with remembered word matches.
- ``sql_sqlite`` / ``sql_postgres`` each engine's SQL behind the same functions (picked once,
  ``index.engine_sql()``); ``queries`` the reads alike on both engines (hit details, ISBN).
"""
