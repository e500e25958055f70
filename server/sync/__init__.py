"""Device synchronisation: the exactly-once push and the gap-free pull over a change log.

Importing the package installs the change-log session hooks (server.models imports it).
"""

from server.sync import changelog  # noqa: F401
