"""Project commands (``COMMANDS_MODULE``): ``crawl`` with exit codes cron can trust."""
