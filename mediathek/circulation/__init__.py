"""Circulation (Ausleihe): loans at the desk, renewals, the overdue list.

Pages: ``desk_pages`` (/theke), ``my_loans_pages`` (a teacher's own loans), ``rules_pages``
(loan rules, opening days, closures, overdue list). Services: ``services`` (checkout, checkin,
renew), ``desk`` (what a scan means, receipts), ``corrections``, ``own_loans``, ``overdue``,
``closures`` (a closure moves dates), ``card_expiry``, ``once``. Rules: ``policy``. Data:
``tables``. The loan rules and opening calendar are base modules of their own.
"""
