"""Patrons (Ausleihende) and logins.

Pages: ``borrower_pages`` (staff: borrowers), ``login_pages`` (log in and out),
``registration_pages`` (register, approve, invite, forgotten password), ``my_account_pages``
(Mein Konto), ``roles_pages`` (roles, API tokens). Services: ``services`` (borrowers),
``logins`` (accounts, passwords), ``sessions`` (login sessions, API tokens), ``registration``,
``roles``, ``privacy`` (own data, deletion), ``email_change``, ``links``, ``cards``.
Rules: ``policy``. Data: ``tables``; reads: ``queries``.
"""
