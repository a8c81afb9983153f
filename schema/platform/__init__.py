"""Platform: onboarding, settings, interests, feedback, ideas, inbox, infobase, references,
feature flags."""

from schema.core.spec import Domain, RootField, TableSpec, Visibility

#: Reads every user's feedback (the ``allFeedback`` root field and the rows). Seeded by
#: ``seeds.auth``.
FEEDBACK_READ = "feedback:read"

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
        TableSpec(
            "feedback",
            visibility=Visibility.OWNER,
            search=("title", "description"),
            roots=(
                RootField(
                    "allFeedback",
                    "Every user's feedback, newest first (staff: `feedback:read`; a user reads "
                    "their own as `me.feedback`).",
                    entitlement=FEEDBACK_READ,
                ),
            ),
            read_entitlement=FEEDBACK_READ,
            order=("-created_at",),
        ),
        TableSpec("ideas", search=("title", "content")),
        TableSpec("user_references", search=("title", "content")),
        TableSpec("inbox_items", search=("title", "description")),
    ),
)
