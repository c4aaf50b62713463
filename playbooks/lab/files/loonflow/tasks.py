# Lab stand-in for loonflow's tasks.py (the celery app `celery -A tasks` loads).
import os

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'settings.config')
