"""The HTTP edge every area uses; it knows no area.

``auth`` (sessions, API tokens), ``guards`` (who may use a route), ``errors`` (domain errors
to status, German page or problem document), ``rendering`` (page or fragment; the ``today``
and ``settings`` dependencies), ``forms`` (the one form type, the one id type), ``templating``,
``language``, ``middleware`` (CSRF, security headers, HEAD), ``input_guard``, ``return_to``,
``page_cache`` (pages kept for visitors without a login while the database is unchanged),
``prefork`` (forked workers).
"""
