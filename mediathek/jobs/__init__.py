"""What runs by itself: the daily jobs, the scheduler that starts them, the locks that guard them.

``daily``: the list of daily jobs (imported functions), running and previewing them.
``scheduler``: when the daily jobs and outbox delivery run inside the app.
``locks``: a database lease per job, so two app instances never run the same job at once.
"""
