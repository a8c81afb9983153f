"""Platform: onboarding, settings, interests, feedback, ideas, inbox, infobase, references,
feature flags."""

from schema.core.spec import Domain, RootField, TableSpec

DOMAIN = Domain(
    tables=(
        TableSpec(
            "onboarding_flows",
            roots=(RootField("onboardingFlows", "Guided onboarding flows and their steps."),),
        ),
        TableSpec(
            "infobase_entries",
            search=("title", "content"),
            roots=(
                RootField("infobaseEntries", "Public knowledge-base entries and the viewer's own."),
            ),
        ),
        TableSpec(
            "feature_flags",
            order=("flag_name",),
            roots=(RootField("featureFlags", "Feature toggles of the app."),),
        ),
        TableSpec("ideas", search=("title", "content")),
        TableSpec("user_references", search=("title", "content")),
        TableSpec("inbox_items", search=("title", "description")),
    ),
)
