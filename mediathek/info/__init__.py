"""The Mediathek's own facts: contact block, opening hours, "So funktioniert die Ausleihe".

Pages: ``info_pages`` (/kontakt, the lending guide, the admin pages for these facts).
Services: ``services`` (the facts for every page, kept 60 s per process).
Rules: ``policy`` (checking what an admin enters).
"""
