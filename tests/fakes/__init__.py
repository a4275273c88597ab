"""Local fakes of platform APIs (Slack Web API, Teams connector) that adapter tests run against."""
