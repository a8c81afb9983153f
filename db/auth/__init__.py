"""Auth and access: users, OAuth accounts, sessions, RBAC, audit log and activity feed."""
