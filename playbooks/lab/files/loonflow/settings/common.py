# Lab stand-in for loonflow's settings/common.py.
import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INSTALLED_APPS = ['apps.account', 'apps.workflow', 'apps.ticket']
STATIC_URL = '/static/'
