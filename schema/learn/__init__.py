"""Learn: topics, lessons and ear-training drills, with the viewer's progress and stats."""

from schema.core.spec import Domain, RootField, TableSpec

DOMAIN = Domain(
    tables=(
        TableSpec("learn_topics", roots=(RootField("learnTopics", "What there is to learn."),)),
        TableSpec("learn_lessons", roots=(RootField("learnLessons", "Every lesson."),)),
        TableSpec("learn_drills", roots=(RootField("learnDrills", "Every ear-training drill."),)),
    ),
)
