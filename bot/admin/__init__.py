"""Who runs the coach: `admins` in chat (`flows`); a workspace that removed the coach (`workspaces`)."""
