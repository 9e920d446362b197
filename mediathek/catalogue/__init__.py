"""Catalogue (Bestand): titles and their copies.

Pages: ``title_pages`` (public title page, cover), ``staff_pages`` (titles, ISBN, copies,
labels), ``import_pages`` (CSV/XLSX import, export). Services: ``services`` (titles),
``copies`` (copies, barcodes), ``imports``/``import_jobs``/``import_files``, ``isbn``, ``covers``,
``export``, ``labels``, ``barcodes``. Rules: ``policy``. Data: ``tables``; reads: ``queries``.
"""
