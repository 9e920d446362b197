"""Patrons (Ausleihende) and logins.

Pages: ``borrower_pages`` (staff), ``login_pages``, ``registration_pages`` (register, approve,
invite, forgotten password), ``my_account_pages`` (Mein Konto), ``roles_pages`` (roles, API
tokens). Input: ``inputs``. Services: ``services`` (borrowers), ``logins``, ``sessions`` (and
API tokens), ``registration``, ``roles``, ``privacy`` (own data, deletion), ``email_change``,
``links``, ``cards``. Rules: ``policy``. Data: ``tables``; reads: ``queries``.
"""
