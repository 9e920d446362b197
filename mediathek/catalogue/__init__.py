"""Catalogue (Bestand): titles and their copies.

Pages: ``title_pages`` (public title page, cover), ``staff_pages`` (titles, ISBN, copies,
labels), ``import_pages`` (CSV/XLSX import, export). Input: ``inputs`` (what the services take).
Services: ``services`` (titles), ``copies`` (copies, barcodes), ``copy_moves`` (the one writer
of a copy's status), ``imports``/``import_jobs``/``import_files``, ``isbn``, ``covers``, ``export``,
``labels``, ``barcodes``. Rules: ``policy`` (also the copy status steps). Data: ``tables``.
"""
