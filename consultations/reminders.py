"""Reminder sources (see portal/reminders.py)."""
