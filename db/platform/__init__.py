"""Platform: feedback, ideas, infobase, onboarding, settings, feature flags, inbox, references."""
