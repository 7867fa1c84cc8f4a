"""Accounts fit for a government system (等保 2.0 baseline): audit of logins, logouts and failed
logins, an idle session timeout, password complexity and history rules. See docs/accounts.md."""
