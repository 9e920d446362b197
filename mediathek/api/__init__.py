"""The JSON API (/api/v1): one module per area over the same services as the pages.

``catalogue``, ``circulation``, ``patrons``, ``reservations``, ``notifications``, ``reports``,
``search``; ``common`` holds bounded ids, security schemes and problem documents.
"""
