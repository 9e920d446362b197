"""Reservations: holds (a queue per title) and bookings (a title for a date range).

Pages: ``reservation_pages``. Services: ``services`` (verbs), ``setaside`` (copies set aside
and passed on), ``hooks`` (the one seam: what the desk asks during checkout, checkin, renewal),
``ics``. Rules: ``policy``. Data: ``tables``; reads: ``queries``.
"""
