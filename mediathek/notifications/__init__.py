"""Notifications: the outbox of e-mails, reminders, delivery.

Pages: ``outbox_pages`` (outbox, one notice, level-3 list, reminder settings, templates).
Services: ``outbox`` (the low seam every area calls to queue a notice), ``services``,
``reminders`` (the daily reminder digests), ``pickup`` (the reminder the opening day before
a booking's pickup day), ``delivery`` (render, send, mark), ``mailer``,
``messages``, ``texts``, ``kinds``. Rules: ``policy``. Data: ``tables``.
"""
