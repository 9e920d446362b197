"""Circulation (Ausleihe): loans at the desk, renewals, loan rules.

Pages: ``desk_pages`` (/theke), ``my_loans_pages`` (a teacher's own loans), ``rules_pages``
(loan rules, opening days, closures, overdue list). Services: ``services`` (checkout, checkin,
renew), ``desk`` (what a scan means), ``corrections``, ``own_loans``, ``once``, ``rules``.
Rules: ``policy``. Data: ``tables`` (loan rules, opening calendar, loans).
"""
