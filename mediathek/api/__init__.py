"""The JSON API (/api/v1): one module per area over the same services as the pages.

``catalogue``, ``circulation``, ``patrons``, ``reservations``, ``notifications``, ``reports``,
``search``; ``common`` holds the security schemes and problem documents. The bodies are the
areas' typed inputs (``catalogue.inputs``, ``patrons.inputs``), passed straight to the services.
"""
