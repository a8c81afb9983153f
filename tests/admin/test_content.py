"""The staff mutations of the content catalogs (schema/core/catalog.py, db/*/catalog.py),
through the API: allowed as an admin and audited with the fields before and after, each
validated field refused as ``InvalidInput`` naming it with the database unchanged, retiring
by deactivation or by a guarded delete, users' progress intact."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.viewer import Viewer
from tests.admin.content_calls import (
    CATALOGS,
    INTERVAL_CONFIG,
    QUIZ,
    TEXT_FIELDS,
    create_doc,
    first_id,
    inactive_flow,
    retire_doc,
    unique,
    update_doc,
    valid_input,
)
from tests.support.harness import Mutate, committed_user, refused
from tests.support.writes import payload_of, row, value


@pytest.fixture
async def admin(engine: AsyncEngine) -> Viewer:
    viewer = await committed_user(engine, admin=True)
    assert viewer.has("catalog:manage")
    return viewer


async def _create(mutate: Mutate, engine: AsyncEngine, admin: Viewer, stem: str) -> str:
    payload = await payload_of(
        mutate, create_doc(stem), {"input": await valid_input(engine, stem)}, admin
    )
    assert payload["__typename"] == f"Create{stem}Success", payload
    new_id: str = payload[CATALOGS[stem][0]]["id"]
    return new_id


async def _audit(engine: AsyncEngine, action: str, resource_id: str) -> Any:
    return await row(
        engine,
        "SELECT user_id, status::text AS status, resource_type, details FROM audit_log "
        "WHERE action = :a AND resource_id = :r ORDER BY created_at DESC LIMIT 1",
        a=action,
        r=resource_id,
    )


@pytest.mark.parametrize("stem", sorted(CATALOGS))
async def test_create_update_retire_audited(
    mutate: Mutate, engine: AsyncEngine, admin: Viewer, stem: str
) -> None:
    new_id = await _create(mutate, engine, admin, stem)
    created = await _audit(engine, f"create{stem}", new_id)
    assert (created.user_id, created.status) == (admin.user_id, "success")
    assert created.details["before"] == {} or "before" not in created.details
    assert created.details["after"]["id"] == new_id

    text_field = TEXT_FIELDS[stem]
    changed = f"Changed {unique()}"
    payload = await payload_of(
        mutate, update_doc(stem), {"id": new_id, "input": {text_field: changed}}, admin
    )
    assert payload["__typename"] == f"Update{stem}Success", payload
    updated = await _audit(engine, f"update{stem}", new_id)
    column = "".join(f"_{c.lower()}" if c.isupper() else c for c in text_field)
    assert updated.details["after"][column] == changed
    assert column in updated.details["before"]

    _, verb = CATALOGS[stem]
    payload = await payload_of(mutate, retire_doc(stem), {"id": new_id}, admin)
    assert payload["__typename"].endswith("Success"), payload
    retired = await _audit(engine, f"{verb}{stem}", new_id)
    assert retired.status == "success"
    if verb == "delete":
        assert payload["deleted"] is True and payload[CATALOGS[stem][0]] is None
        assert retired.details["after"] == {} or retired.details.get("after") is None
    else:
        assert payload["deleted"] is False
        table = retired.resource_type
        assert (
            await value(engine, f"SELECT is_active FROM {table} WHERE id = :i", i=new_id) is False
        )


async def test_lesson_in_use_is_not_deleted_and_progress_stays(
    mutate: Mutate, engine: AsyncEngine, admin: Viewer
) -> None:
    lesson = await _create(mutate, engine, admin, "LearnLesson")
    player = await committed_user(engine)
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO user_lesson_progress (user_id, lesson_id, status, quiz_score) "
                "VALUES (:u, :l, 'completed', 80)"
            ),
            {"u": player.user_id, "l": lesson},
        )
    payload = await refused(engine, mutate, retire_doc("LearnLesson"), {"id": lesson}, admin)
    assert (payload["__typename"], payload["status"]) == ("InvalidState", "in_use")
    progress = await row(
        engine,
        "SELECT status::text AS status, quiz_score FROM user_lesson_progress "
        "WHERE user_id = :u AND lesson_id = :l",
        u=player.user_id,
        l=lesson,
    )
    assert (progress.status, progress.quiz_score) == ("completed", 80)
    # the topic has lessons: it is in use too.
    topic = await value(engine, "SELECT topic_id FROM learn_lessons WHERE id = :l", l=lesson)
    payload = await refused(engine, mutate, retire_doc("LearnTopic"), {"id": str(topic)}, admin)
    assert payload["status"] == "in_use"


async def test_deactivated_template_keeps_its_presets(
    mutate: Mutate, engine: AsyncEngine, admin: Viewer
) -> None:
    template = await _create(mutate, engine, admin, "ListeningPromptTemplate")
    preset_input = await valid_input(engine, "ListeningPromptPreset")
    payload = await payload_of(
        mutate,
        create_doc("ListeningPromptPreset"),
        {"input": {**preset_input, "templateId": template}},
        admin,
    )
    preset = payload["listeningPromptPreset"]["id"]
    await payload_of(mutate, retire_doc("ListeningPromptTemplate"), {"id": template}, admin)
    assert (
        await value(
            engine, "SELECT is_active FROM listening_prompt_templates WHERE id = :t", t=template
        )
        is False
    )
    assert (
        str(
            await value(
                engine, "SELECT template_id FROM listening_prompt_presets WHERE id = :p", p=preset
            )
        )
        == template
    )
    assert (
        await value(
            engine, "SELECT created_by FROM listening_prompt_templates WHERE id = :t", t=template
        )
        == admin.user_id
    )


#: (catalog, a change of a valid create input, the field the refusal names).
BAD_CREATES: list[tuple[str, dict[str, Any], str]] = [
    ("LearnTopic", {"key": "Not A Key"}, "input.key"),
    ("LearnTopic", {"name": "   "}, "input.name"),
    ("LearnLesson", {"topicId": str(uuid.uuid4())}, "input.topicId"),
    (
        "LearnLesson",
        {"quizJson": [{**QUIZ[0], "answer_index": [0, 1]}]},
        "input.quizJson[0].answerIndex",
    ),
    (
        "LearnLesson",
        {"quizJson": [{**QUIZ[0], "answer_index": 2}]},
        "input.quizJson[0].answerIndex",
    ),
    ("LearnLesson", {"quizJson": [{**QUIZ[0], "options": ["7"]}]}, "input.quizJson[0].options"),
    ("LearnLesson", {"quizJson": [{"question": "?"}]}, "input.quizJson[0]"),
    ("LearnLesson", {"xpReward": -1}, "input.xpReward"),
    ("LearnLesson", {"skillKey": "no_such_skill"}, "input.skillKey"),
    (
        "LearnDrill",
        {"configJson": {**INTERVAL_CONFIG, "intervals": ["M3", "X9"]}},
        "input.configJson.intervals[1]",
    ),
    (
        "LearnDrill",
        {"configJson": {**INTERVAL_CONFIG, "questions": 0}},
        "input.configJson.questions",
    ),
    ("LearnDrill", {"configJson": ["M3"]}, "input.configJson"),
    ("LearnDrill", {"drillType": "CHORD"}, "input.configJson.direction"),
    (
        "LearnDrill",
        {
            "drillType": "RHYTHM",
            "configJson": {"tempo_bpm": 90, "time_signature": "4/4", "questions": 8},
        },
        "input.configJson.subdivisions",
    ),
    ("BuiltinExercise", {"level": "superhuman"}, "input.level"),
    ("BuiltinExercise", {"muscleGroups": ["x" * 51]}, "input.muscleGroups"),
    ("BuiltinInfobaseEntry", {"content": ""}, "input.content"),
    ("BuiltinPlanTemplate", {"items": [{"title": "", "minutes": 10}]}, "input.items.title"),
    ("ListeningPromptTemplate", {"hints": ["x" * 501]}, "input.hints"),
    ("ListeningPromptPreset", {"config": [1, 2]}, "input.config"),
    ("ListeningPromptPreset", {"templateId": str(uuid.uuid4())}, "input.templateId"),
    ("OnboardingStep", {"options": [{"value": "a", "label": "A"}] * 2}, "input.options[1].value"),
    ("OnboardingStep", {"options": [{"value": "a"}]}, "input.options[0]"),
    ("OnboardingStep", {"options": []}, "input.options"),
    ("OnboardingStep", {"stepType": "EXPLAIN"}, "input.options"),
    (
        "OnboardingStep",
        {"allowsMultiple": True, "actionConfig": {"max_choices": 3}},
        "input.actionConfig.maxChoices",
    ),
    ("OnboardingStep", {"stepOrder": 0}, "input.stepOrder"),
]


@pytest.mark.parametrize(("stem", "change", "field"), BAD_CREATES)
async def test_bad_values_are_refused_naming_the_field(
    mutate: Mutate,
    engine: AsyncEngine,
    admin: Viewer,
    stem: str,
    change: dict[str, Any],
    field: str,
) -> None:
    values = {**await valid_input(engine, stem), **change}
    payload = await refused(engine, mutate, create_doc(stem), {"input": values}, admin)
    assert (payload["__typename"], payload["field"]) == ("InvalidInput", field), payload


async def test_taken_names_and_the_rows_of_users(
    mutate: Mutate, engine: AsyncEngine, admin: Viewer
) -> None:
    # a key another topic has
    key = await value(engine, "SELECT key FROM learn_topics LIMIT 1")
    values = {**await valid_input(engine, "LearnTopic"), "key": key}
    payload = await refused(engine, mutate, create_doc("LearnTopic"), {"input": values}, admin)
    assert payload["field"] == "input.key"
    # a step order its flow has already
    step = await _create(mutate, engine, admin, "OnboardingStep")
    flow = await value(engine, "SELECT flow_id FROM onboarding_steps WHERE id = :s", s=step)
    values = {**await valid_input(engine, "OnboardingStep"), "flowId": str(flow)}
    payload = await refused(engine, mutate, create_doc("OnboardingStep"), {"input": values}, admin)
    assert payload["field"] == "input.stepOrder"
    assert (
        await value(engine, "SELECT total_steps FROM onboarding_flows WHERE id = :f", f=flow) == 1
    )
    # a user's own exercise is not a built-in one
    player = await committed_user(engine)
    async with engine.begin() as conn:
        own = (
            await conn.execute(
                sa.text(
                    "INSERT INTO exercises (name, category, is_custom, user_id) "
                    "VALUES ('Mine', 'strength', true, :u) RETURNING id"
                ),
                {"u": player.user_id},
            )
        ).scalar_one()
    payload = await refused(
        engine,
        mutate,
        update_doc("BuiltinExercise"),
        {"id": str(own), "input": {"name": "x"}},
        admin,
    )
    assert payload["__typename"] == "NotFound"
    # an update changing a drill's type must bring a config of that type
    drill = await _create(mutate, engine, admin, "LearnDrill")
    payload = await refused(
        engine,
        mutate,
        update_doc("LearnDrill"),
        {"id": drill, "input": {"drillType": "SCALE"}},
        admin,
    )
    assert payload["field"] == "input.configJson.intervals"  # not a key of a scale drill
    scale = {"scales": ["major"], "direction": "ascending", "questions": 5}
    payload = await payload_of(
        mutate,
        update_doc("LearnDrill"),
        {"id": drill, "input": {"drillType": "SCALE", "configJson": scale}},
        admin,
    )
    assert payload["__typename"] == "UpdateLearnDrillSuccess"


async def test_one_active_onboarding_flow(
    mutate: Mutate, engine: AsyncEngine, admin: Viewer
) -> None:
    active = await first_id(engine, "onboarding_flows", "is_active")
    player = await committed_user(engine)  # on the active flow
    flow = str(await inactive_flow(engine))
    try:
        payload = await payload_of(
            mutate, update_doc("OnboardingFlow"), {"id": flow, "input": {"isActive": True}}, admin
        )
        assert payload["__typename"] == "UpdateOnboardingFlowSuccess"
        assert (
            await value(engine, "SELECT is_active FROM onboarding_flows WHERE id = :f", f=active)
            is False
        )
        knock_on = await _audit(engine, "deactivateOnboardingFlow", str(active))
        assert knock_on.details["activated"] == flow
        # the only active flow cannot be deactivated: new users would have none
        payload = await refused(engine, mutate, retire_doc("OnboardingFlow"), {"id": flow}, admin)
        assert (payload["__typename"], payload["status"]) == ("InvalidState", "last_active_flow")
        # the player's onboarding stays on the flow they started
        state = await value(
            engine, "SELECT flow_id FROM user_onboarding_state WHERE user_id = :u", u=player.user_id
        )
        assert state == active
    finally:
        async with engine.begin() as conn:
            await conn.execute(
                sa.text("UPDATE onboarding_flows SET is_active = (id = :a)"), {"a": active}
            )


async def test_a_player_is_forbidden(mutate: Mutate, engine: AsyncEngine) -> None:
    player = await committed_user(engine)
    values = await valid_input(engine, "LearnTopic")
    result = await mutate(create_doc("LearnTopic"), {"input": values}, viewer=player)
    assert result.codes == ["FORBIDDEN"]
    assert (
        await value(engine, "SELECT count(*) FROM learn_topics WHERE key = :k", k=values["key"])
        == 0
    )
