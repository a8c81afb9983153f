"""Listening prompts: templates of critical-listening exercises and their presets."""

from schema.core.spec import Domain, RootField, TableSpec

DOMAIN = Domain(
    tables=(
        TableSpec(
            "listening_prompt_templates",
            roots=(
                RootField(
                    "listeningPromptTemplates", "Critical-listening prompts to run against a mix."
                ),
            ),
        ),
        TableSpec(
            "listening_prompt_presets",
            roots=(
                RootField(
                    "listeningPromptPresets", "Ready-made configurations of the listening prompts."
                ),
            ),
        ),
    ),
)
