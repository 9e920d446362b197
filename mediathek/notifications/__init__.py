"""Notifications: the outbox of e-mails, reminders, delivery.

Pages: ``outbox_pages`` (outbox, one notice, level-3 list, reminder settings, templates).
Services: ``outbox`` (the low seam every area calls to queue a notice), ``services``,
``reminders`` (the daily reminder digests), ``delivery`` (render, send, mark), ``mailer``,
``messages``, ``texts``, ``kinds``. Rules: ``policy``. Data: ``tables``.
"""
