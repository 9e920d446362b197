"""The HTTP edge every area uses; it knows no area.

``auth`` (sessions, API tokens), ``guards`` (who may use a route), ``errors`` (domain errors
to status, German page or problem document), ``rendering`` (page or fragment), ``templating``,
``forms``, ``middleware`` (CSRF, security headers, HEAD), ``input_guard``, ``return_to``.
"""
