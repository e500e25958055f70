"""People and devices: users with a role and a territory, devices with revocable bearer tokens."""
