"""Reports: statistics, stocktake, data protection and legal texts.

Pages: ``statistics_pages``, ``stocktake_pages``, ``privacy_pages`` (legal texts, retention,
deletion candidates, audit log). Services: ``statistics``, ``stocktake``, ``privacy``
(retention, anonymising, the daily privacy job), ``legal``, ``audit_log``, ``charts`` (SVG).
Data: ``tables`` (stocktake).
"""
